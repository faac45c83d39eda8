import type { ClusterSnapshot } from "../model/cluster-snapshot.js";
import type { KubeObject } from "../model/kube-object.js";
import { podSecretRefs, podTemplateSpec } from "../model/pod-secret-refs.js";
import { objectKey } from "./object-key.js";
import { type ApplyGroup, applyGroupOf } from "./order.js";
import type { StepDraft } from "./step-list.js";

export interface ReleaseObjectSteps {
  /** The release's own Namespace object (labels such as pod-security), applied over the existing namespace. */
  namespace: StepDraft[];
  crds: StepDraft[];
  cluster: StepDraft[];
  config: StepDraft[];
  services: StepDraft[];
  workloads: StepDraft[];
  other: StepDraft[];
  deployments: string[];
  notes: string[];
  refusals: string[];
}

/** The Deployments whose Secret references say which MySQL credentials are in use. */
const CREDENTIAL_READERS = ["ml-pipeline", "mysql"];

export interface SecretReference {
  deployment: string;
  secrets: string[];
}

/** What the cluster holds before this hop: the snapshot for hop 1, the previous hop's release after that. */
export interface PriorState {
  exists(kind: string, namespace: string | null, name: string): boolean;
  selectorOf(namespace: string, deployment: string): Record<string, string> | null;
  /** A Deployment's `spec.strategy.type` there (null: unset or unknown). */
  strategyOf(namespace: string, deployment: string): string | null;
  secretExists(name: string): boolean;
  /** Every Secret name there, for finding the old name of a Secret a release renamed. */
  secretNames(): string[];
  /** The Secrets the `ml-pipeline` and `mysql` Deployments reference (env, envFrom). */
  secretReferences(): SecretReference[];
}

export function priorStateFromSnapshot(snapshot: ClusterSnapshot): PriorState {
  const keys = new Set(snapshot.objects.map((o) => objectKey(o.kind, o.namespace, o.name)));
  for (const crd of snapshot.crds) keys.add(objectKey("CustomResourceDefinition", null, crd.name));
  for (const o of snapshot.clusterObjects) keys.add(objectKey(o.kind, null, o.name));
  for (const d of snapshot.deployments) keys.add(objectKey("Deployment", d.namespace, d.name));
  for (const c of snapshot.claims) keys.add(objectKey("PersistentVolumeClaim", c.namespace, c.name));
  const secrets = new Set(snapshot.secrets);
  return {
    exists: (kind, namespace, name) => keys.has(objectKey(kind, namespace, name)),
    selectorOf: (namespace, name) =>
      snapshot.deployments.find((d) => d.namespace === namespace && d.name === name)?.selector ?? null,
    strategyOf: (namespace, name) =>
      snapshot.deployments.find((d) => d.namespace === namespace && d.name === name)?.strategy ?? null,
    secretExists: (name) => secrets.has(name),
    secretNames: () => [...secrets],
    secretReferences: () =>
      CREDENTIAL_READERS.flatMap((name) => {
        const deployment = snapshot.deployments.find(
          (d) => d.name === name && d.namespace === snapshot.namespace.name,
        );
        return deployment ? [{ deployment: name, secrets: deployment.secretRefs }] : [];
      }),
  };
}

export function priorStateFromObjects(objects: KubeObject[], previous: PriorState): PriorState {
  const byKey = new Map(objects.map((o) => [objectKey(o.kind, o.metadata.namespace, o.metadata.name), o]));
  return {
    exists: (kind, namespace, name) =>
      byKey.has(objectKey(kind, namespace, name)) || previous.exists(kind, namespace, name),
    selectorOf: (namespace, name) => {
      const object = byKey.get(objectKey("Deployment", namespace, name));
      return object ? matchLabelsOf(object) : previous.selectorOf(namespace, name);
    },
    strategyOf: (namespace, name) => {
      const object = byKey.get(objectKey("Deployment", namespace, name));
      return object ? strategyTypeOf(object) : previous.strategyOf(namespace, name);
    },
    secretExists: (name) =>
      previous.secretExists(name) || objects.some((o) => o.kind === "Secret" && o.metadata.name === name),
    secretNames: () => [
      ...new Set([
        ...previous.secretNames(),
        ...objects.filter((o) => o.kind === "Secret").map((o) => o.metadata.name),
      ]),
    ],
    secretReferences: () =>
      CREDENTIAL_READERS.flatMap((name) => {
        const deployment = byKey.get(objectKey("Deployment", namespaceOf(objects, name), name));
        if (!deployment) return previous.secretReferences().filter((r) => r.deployment === name);
        return [{ deployment: name, secrets: podSecretRefs(podTemplateSpec(deployment)) }];
      }),
  };
}

function namespaceOf(objects: KubeObject[], deployment: string): string | null {
  return (
    objects.find((o) => o.kind === "Deployment" && o.metadata.name === deployment)?.metadata.namespace ?? null
  );
}

export function matchLabelsOf(deployment: KubeObject): Record<string, string> | null {
  const selector = (deployment.spec as { selector?: { matchLabels?: Record<string, string> } } | undefined)
    ?.selector;
  return selector?.matchLabels ?? null;
}

function strategyTypeOf(deployment: KubeObject): string | null {
  const type = (deployment.spec as { strategy?: { type?: unknown } } | undefined)?.strategy?.type;
  return typeof type === "string" ? type : null;
}

function sameLabels(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => a[key] === b[key]);
}

/**
 * Turns a release's objects into apply steps in the order of `order.ts`. Data claims and the Namespace's existence are left to
 * the storage and namespace steps; Secrets are only created when missing; a Deployment whose selector changed is
 * recreated, because selectors are immutable (kubeflow/pipelines#2892).
 */
export function releaseObjectSteps(input: {
  objects: KubeObject[];
  prior: PriorState;
  dataClaims: string[];
}): ReleaseObjectSteps {
  const result: ReleaseObjectSteps = {
    namespace: [],
    crds: [],
    cluster: [],
    config: [],
    services: [],
    workloads: [],
    other: [],
    deployments: [],
    notes: [],
    refusals: [],
  };
  const buckets = new Map<ApplyGroup, KubeObject[]>();
  const secrets: KubeObject[] = [];
  const otherClaims: KubeObject[] = [];
  for (const object of input.objects) {
    if (object.kind === "Namespace") {
      const labels = object.metadata.labels ?? {};
      if (Object.keys(labels).length > 0) {
        const ns: KubeObject = {
          apiVersion: "v1",
          kind: "Namespace",
          metadata: { name: object.metadata.name, labels },
        };
        result.namespace.push({
          kind: "applyObjects",
          group: "namespace",
          force: true,
          objects: [{ action: "update", object: ns }],
        });
      }
      continue;
    }
    if (object.kind === "PersistentVolumeClaim") {
      if (!input.dataClaims.includes(object.metadata.name)) otherClaims.push(object);
      continue;
    }
    if (object.kind === "Secret") {
      secrets.push(object);
      continue;
    }
    const group = applyGroupOf(object);
    buckets.set(group, [...(buckets.get(group) ?? []), object]);
  }
  const action = (object: KubeObject) =>
    input.prior.exists(object.kind, object.metadata.namespace ?? null, object.metadata.name)
      ? ("update" as const)
      : ("create" as const);
  const apply = (group: string, objects: KubeObject[] | undefined): StepDraft[] =>
    objects && objects.length > 0
      ? [
          {
            kind: "applyObjects",
            group,
            force: true,
            objects: objects.map((object) => ({ action: action(object), object })),
          },
        ]
      : [];

  const crds = buckets.get("crds") ?? [];
  result.crds.push(...apply("crds", crds));
  if (crds.length > 0)
    result.crds.push({ kind: "waitEstablished", crds: crds.map((crd) => crd.metadata.name) });
  result.cluster.push(...apply("cluster", buckets.get("cluster")));
  result.config.push(...apply("rbac", buckets.get("rbac")));
  const newSecrets = secrets.filter((secret) => !input.prior.secretExists(secret.metadata.name));
  const keptSecrets = secrets.filter((secret) => input.prior.secretExists(secret.metadata.name));
  for (const secret of newSecrets) {
    const former = formerSecret(
      secret.metadata.name,
      input.prior.secretNames(),
      input.prior.secretReferences(),
    );
    if (former && "refusal" in former) result.refusals.push(former.refusal);
    else if (former) {
      result.config.push({
        kind: "carrySecret",
        namespace: secret.metadata.namespace ?? "",
        from: former.from,
        to: secret.metadata.name,
        reason: "the release renamed it; the credentials in use are carried over instead of the defaults",
      });
    }
  }
  if (newSecrets.length > 0)
    result.config.push({ kind: "createIfAbsent", group: "secrets", objects: newSecrets });
  const dataless = secrets.filter((secret) => secret.data === undefined && secret.stringData === undefined);
  if (dataless.length > 0) {
    result.notes.push(
      `Secrets the release ships without data (an initializer fills them) are created only when absent, never applied over, pruned or re-created: ${dataless.map((s) => s.metadata.name).join(", ")}`,
    );
  }
  if (keptSecrets.length > 0) {
    result.notes.push(
      `Secrets kept as they are (never overwritten): ${keptSecrets.map((s) => s.metadata.name).join(", ")}`,
    );
  }
  result.config.push(...apply("config", buckets.get("config")));
  if (otherClaims.length > 0)
    result.config.push({ kind: "createIfAbsent", group: "claims", objects: otherClaims });
  result.services.push(...apply("services", buckets.get("services")));

  const workloads = buckets.get("workloads") ?? [];
  const updatable: KubeObject[] = [];
  for (const workload of workloads) {
    const namespace = workload.metadata.namespace ?? "";
    if (workload.kind === "Deployment") result.deployments.push(workload.metadata.name);
    const before =
      workload.kind === "Deployment" ? input.prior.selectorOf(namespace, workload.metadata.name) : null;
    const after = matchLabelsOf(workload);
    const toRecreate =
      workload.kind === "Deployment" &&
      before !== null &&
      strategyTypeOf(workload) === "Recreate" &&
      input.prior.strategyOf(namespace, workload.metadata.name) !== "Recreate";
    if (before && after && !sameLabels(before, after)) {
      result.workloads.push({
        kind: "recreateDeployment",
        namespace,
        name: workload.metadata.name,
        reason: `selector changes from ${JSON.stringify(before)} to ${JSON.stringify(after)} (immutable)`,
        object: workload,
      });
    } else if (toRecreate) {
      // An apply of `type: Recreate` keeps the rollingUpdate the API server defaulted, which validation forbids
      // ("spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is 'Recreate'"; KFP
      // 2.18's ml-pipeline-ui moves to Recreate): the Deployment is recreated, which is what Recreate means anyway.
      result.workloads.push({
        kind: "recreateDeployment",
        namespace,
        name: workload.metadata.name,
        reason: `its strategy becomes Recreate (an apply over the defaulted RollingUpdate is invalid)`,
        object: workload,
      });
    } else {
      updatable.push(workload);
    }
  }
  result.workloads.push(...apply("workloads", updatable));
  result.other.push(...apply("other", buckets.get("other")));
  return result;
}

/** Secrets whose credentials moved to another name between releases, besides kustomize's hash suffixes. */
const FORMER_SECRET_NAMES: Record<string, string[]> = { "mysql-secret": ["mysql-credential"] };

/**
 * The Secret an older release kept `name`'s credentials in: `name-<10-char kustomize hash>` (≤1.4.1, e.g.
 * `mysql-secret-db2h2gbg52`) or a former name (`mysql-credential` up to 0.4.0). Among several hashed ones, the one
 * the `ml-pipeline`/`mysql` Deployments reference (the credentials MySQL and the API server use), never merely the
 * alphabetically first; refused when their references disagree, or when none of several is referenced.
 */
export function formerSecret(
  name: string,
  existing: string[],
  references: SecretReference[] = [],
): { from: string } | { refusal: string } | null {
  const hashed = new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}-[a-z0-9]{10}$`);
  const candidates = existing.filter((candidate) => hashed.test(candidate)).sort();
  if (candidates.length === 0) {
    const old = FORMER_SECRET_NAMES[name]?.find((former) => existing.includes(former));
    return old ? { from: old } : null;
  }
  const used = references
    .map((ref) => ({ ...ref, secrets: ref.secrets.filter((secret) => candidates.includes(secret)) }))
    .filter((ref) => ref.secrets.length > 0);
  const usedNames = [...new Set(used.flatMap((ref) => ref.secrets))].sort();
  const [only] = usedNames;
  if (usedNames.length === 1 && only) return { from: only };
  if (usedNames.length > 1) {
    return {
      refusal: `the Deployments disagree on which Secret holds the credentials of ${name}: ${used
        .map((ref) => `deployment/${ref.deployment} uses ${ref.secrets.join(", ")}`)
        .join(
          "; ",
        )}. Make them reference the same Secret (the one MySQL's password is in), then run the command again`,
    };
  }
  const [first] = candidates;
  if (candidates.length === 1 && first) return { from: first };
  return {
    refusal: `several Secrets could hold the credentials of ${name} (${candidates.join(", ")}) and neither deployment/ml-pipeline nor deployment/mysql references one. Delete the ones not in use, then run the command again`,
  };
}
