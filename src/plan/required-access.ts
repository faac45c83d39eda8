import type { Plan } from "./plan.js";

export interface RequiredAccess {
  verb: string;
  group: string;
  resource: string;
  namespace?: string;
}

const IRREGULAR_PLURALS: Record<string, string> = {
  PriorityClass: "priorityclasses",
  StorageClass: "storageclasses",
  NetworkPolicy: "networkpolicies",
  Ingress: "ingresses",
};

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

/**
 * Every verb on every resource the plan's steps will use, plus the Lease lock and the history ConfigMap. Checked
 * with SelfSubjectAccessReviews before anything changes, so a restricted user learns all that is missing at once.
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
  add(["get", "create", "update", "delete"], "coordination.k8s.io/v1", "Lease", ns);
  add(["get", "create", "update"], "v1", "ConfigMap", ns);
  for (const step of plan.steps) {
    switch (step.kind) {
      case "ensureNamespace":
        add(step.exists ? ["get"] : ["get", "create"], "v1", "Namespace");
        break;
      case "applyObjects":
        for (const { object } of step.objects)
          add(["create", "patch"], object.apiVersion, object.kind, object.metadata.namespace);
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
        break;
      case "setImages":
        add(["get", "patch"], "apps/v1", "Deployment", step.namespace);
        break;
      case "waitRollout":
        add(["get", "list", "watch"], "apps/v1", "Deployment", step.namespace);
        break;
      case "prune":
        for (const ref of step.objects) add(["delete"], ref.apiVersion, ref.kind, ref.namespace);
        break;
      default:
        step satisfies never;
    }
  }
  return [...out.values()];
}
