import type { Plan } from "./plan.js";

export interface RequiredAccess {
  verb: string;
  group: string;
  resource: string;
  /** `proxy` of `services/proxy`. */
  subresource?: string;
  /** One object (`bind` on clusterrole `cluster-admin`); all of them when omitted. */
  name?: string;
  namespace?: string;
}

const IRREGULAR_PLURALS: Record<string, string> = {
  PriorityClass: "priorityclasses",
  StorageClass: "storageclasses",
  NetworkPolicy: "networkpolicies",
  Ingress: "ingresses",
};

/** `create customresourcedefinitions.apiextensions.k8s.io (cluster-wide)`: one right, as refusals list it. */
export function describeAccess(check: RequiredAccess): string {
  const name = check.subresource ? `${check.resource}/${check.subresource}` : check.resource;
  const resource = check.group ? `${name}.${check.group}` : name;
  const object = check.name ? ` ${check.name}` : "";
  return `${check.verb} ${resource}${object}${check.namespace ? ` in namespace ${check.namespace}` : " (cluster-wide)"}`;
}

/**
 * What the RBAC preflight checks before a run: everything the plan needs, except when it starts by creating the admin
 * binding. Then only that step's rights (and the lock's) are checked, since the binding grants the rest.
 */
export function preflightAccess(plan: Plan): RequiredAccess[] {
  const binding = plan.steps.filter((step) => step.kind === "ensureAdminBinding");
  return requiredAccess(binding.length > 0 ? { ...plan, steps: binding } : plan);
}

/** `Deployment` -> `deployments`: the resource name RBAC rules use. */
export function resourceOf(kind: string): string {
  const irregular = IRREGULAR_PLURALS[kind];
  if (irregular) return irregular;
  const lower = kind.toLowerCase();
  if (lower.endsWith("y")) return `${lower.slice(0, -1)}ies`;
  if (lower.endsWith("s")) return `${lower}es`;
  return `${lower}s`;
}

function groupOf(apiVersion: string): string {
  return apiVersion.includes("/") ? (apiVersion.split("/")[0] ?? "") : "";
}

/** The Lease lock every mutating run takes in its namespace before it reads the cluster. */
export function lockAccess(namespace: string): RequiredAccess[] {
  return ["get", "create", "update", "delete"].map((verb) => ({
    verb,
    group: "coordination.k8s.io",
    resource: "leases",
    namespace,
  }));
}

/**
 * Every verb on every resource the plan's steps will use, what an automatic rollback of a hop needs (deleting what
 * it created, re-applying what it changed or pruned), the Lease lock (and the namespace created for it, deleted
 * again when the run changes nothing) and the history ConfigMap. Checked with a SelfSubjectRulesReview per namespace (refusals confirmed by SelfSubjectAccessReviews) before
 * anything changes, so a restricted user learns all that is missing at once.
 */
export function requiredAccess(plan: Plan): RequiredAccess[] {
  const out = new Map<string, RequiredAccess>();
  const add = (verbs: string[], apiVersion: string, kind: string, namespace?: string) => {
    for (const verb of verbs) {
      const access: RequiredAccess = {
        verb,
        group: groupOf(apiVersion),
        resource: resourceOf(kind),
        ...(namespace ? { namespace } : {}),
      };
      out.set(JSON.stringify(access), access);
    }
  };
  const ns = plan.namespace;
  for (const access of lockAccess(ns)) out.set(JSON.stringify(access), access);
  add(["get", "create", "update"], "v1", "ConfigMap", ns);
  for (const step of plan.steps) {
    switch (step.kind) {
      case "ensureNamespace":
        add(step.exists ? ["get"] : ["get", "create", "delete"], "v1", "Namespace");
        break;
      case "applyObjects":
        for (const { object } of step.objects) {
          // Rollback deletes what the hop created (CRDs are never rolled back).
          const verbs =
            object.kind === "CustomResourceDefinition" ? ["create", "patch"] : ["create", "patch", "delete"];
          add(verbs, object.apiVersion, object.kind, object.metadata.namespace);
        }
        break;
      case "createIfAbsent":
        for (const object of step.objects)
          add(["get", "create"], object.apiVersion, object.kind, object.metadata.namespace);
        break;
      case "carrySecret":
        add(["get", "create"], "v1", "Secret", step.namespace);
        break;
      case "waitEstablished":
        add(["get", "list", "watch"], "apiextensions.k8s.io/v1", "CustomResourceDefinition");
        break;
      case "setReclaimPolicy":
      case "releaseClaimRef":
        add(["get", "patch"], "v1", "PersistentVolume");
        break;
      case "retainClaimVolumes":
        add(["get", "list", "watch"], "v1", "PersistentVolumeClaim", step.namespace);
        add(["get", "patch"], "v1", "PersistentVolume");
        break;
      case "ensureVolume":
        add(["get", "create"], "v1", "PersistentVolume");
        break;
      case "ensureClaim":
        add(["get", "create"], "v1", "PersistentVolumeClaim", step.claim.metadata.namespace);
        break;
      case "waitBound":
      case "verifyBinding":
      case "deleteDataClaims":
        add(["get", "list", "watch", "delete"], "v1", "PersistentVolumeClaim", step.namespace);
        add(["get"], "v1", "PersistentVolume");
        break;
      case "saveVolumeDefinitions":
        add(["get", "list", "watch"], "v1", "PersistentVolumeClaim", step.namespace);
        add(["get"], "v1", "PersistentVolume");
        break;
      case "recordDataWriter":
        add(["get"], "v1", "PersistentVolumeClaim", step.namespace);
        add(["get", "patch"], "v1", "PersistentVolume");
        break;
      case "stripOwnerReferences":
        add(["get", "patch"], step.target.apiVersion, step.target.kind, step.target.namespace);
        break;
      case "recreateDeployment":
        add(["delete", "create", "patch", "get", "list", "watch"], "apps/v1", "Deployment", step.namespace);
        add(["list"], "v1", "Pod", step.namespace);
        break;
      case "scaleDeployments":
        add(["get", "patch"], "apps/v1", "Deployment", step.namespace);
        break;
      case "verifyInventory":
      case "recordInventory":
        // KFP's API through the API server's service proxy (`kubectl get --raw …/services/ml-pipeline:8888/proxy/…`).
        if (step.endpoint === undefined) {
          out.set(`services/proxy ${step.namespace}`, {
            verb: "get",
            group: "",
            resource: "services",
            subresource: "proxy",
            namespace: step.namespace,
          });
        }
        break;
      case "waitPodsGone":
      case "verifyMysqlSeries":
        add(["list"], "v1", "Pod", step.namespace);
        break;
      case "pointOfNoReturn":
        break;
      case "setImages":
        // Rollback re-applies the Deployment as it was.
        add(["get", "patch", "create"], "apps/v1", "Deployment", step.namespace);
        break;
      case "waitRollout":
        add(["get", "list", "watch"], "apps/v1", "Deployment", step.namespace);
        // An automatic rollback after a failed rollout deletes and recreates Deployments and waits for their pods.
        add(["delete", "create", "patch"], "apps/v1", "Deployment", step.namespace);
        add(["list"], "v1", "Pod", step.namespace);
        break;
      case "waitWorkflowsDone":
        add(["list"], "argoproj.io/v1alpha1", "Workflow", step.namespace);
        break;
      case "prune":
        // Rollback re-creates what the hop pruned.
        for (const ref of step.objects)
          add(["delete", "create", "patch"], ref.apiVersion, ref.kind, ref.namespace);
        break;
      case "adoptObjects":
        for (const ref of step.objects) add(["get", "patch"], ref.apiVersion, ref.kind, ref.namespace);
        break;
      case "ensureAdminBinding":
        add(["create"], "rbac.authorization.k8s.io/v1", "ClusterRoleBinding");
        // RBAC lets a user bind a role it does not hold only with `bind` on that role (escalation prevention).
        out.set(`bind clusterroles ${step.clusterRole}`, {
          verb: "bind",
          group: "rbac.authorization.k8s.io",
          resource: "clusterroles",
          name: step.clusterRole,
        });
        break;
      case "serverDryRun":
      case "editAppFile":
        // editAppFile writes a file of the KFAPP, not the cluster.
        break;
      case "backupVolumes":
        // A GCP disk snapshot is taken with gcloud: it needs no access to the cluster.
        if (step.backups.some((b) => b.method === "csi")) {
          add(
            ["get", "create", "list", "watch"],
            "snapshot.storage.k8s.io/v1",
            "VolumeSnapshot",
            step.namespace,
          );
          add(["get"], "v1", "PersistentVolumeClaim", step.namespace);
        }
        break;
      case "forgetHelmRelease":
        // Read as metadata-only lists (a Secret's data, here a whole release, is never read).
        for (const record of step.records) add(["list", "delete"], "v1", record.kind, step.namespace);
        for (const ref of step.unmark) add(["list", "patch"], ref.apiVersion, ref.kind, ref.namespace);
        break;
      default:
        step satisfies never;
    }
  }
  return [...out.values()];
}
