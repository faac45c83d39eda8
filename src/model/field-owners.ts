import { z } from "zod";
import type { KubeObject } from "./kube-object.js";

/**
 * Who installed an object and who owns its fields, read from `metadata.managedFields`, labels and annotations: the
 * plan adopts what other appliers (kubectl, Helm, kpt, …) own before it applies, and refuses installs a Helm release
 * or a GitOps controller still tracks unless the user says `--adopt`.
 */

/** kfp-upgrade's own field manager (the kube layer writes with it; the model cannot import the kube layer). */
export const KFP_UPGRADE_MANAGER = "kfp-upgrade";

export const HELM_RELEASE_NAME_ANNOTATION = "meta.helm.sh/release-name";
export const HELM_RELEASE_NAMESPACE_ANNOTATION = "meta.helm.sh/release-namespace";
export const MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";
export const LAST_APPLIED_ANNOTATION = "kubectl.kubernetes.io/last-applied-configuration";
export const ARGOCD_INSTANCE_LABEL = "argocd.argoproj.io/instance";
export const ARGOCD_TRACKING_ANNOTATION = "argocd.argoproj.io/tracking-id";
const FLUX_LABELS = [
  { kind: "Kustomization", prefix: "kustomize.toolkit.fluxcd.io" },
  { kind: "HelmRelease", prefix: "helm.toolkit.fluxcd.io" },
] as const;

export const fieldManagerSchema = z.object({
  manager: z.string(),
  /** `Apply` (server-side apply) or `Update` (create, update, patch, client-side apply). */
  operation: z.string(),
  apiVersion: z.string(),
  /** `status`, `scale`, …: fields a controller writes through a subresource, never adopted. */
  subresource: z.string().nullable(),
});
export type FieldManager = z.infer<typeof fieldManagerSchema>;

export const objectOwnershipSchema = z.object({
  apiVersion: z.string(),
  kind: z.string(),
  name: z.string(),
  namespace: z.string().nullable(),
  managers: z.array(fieldManagerSchema),
  /** `kubectl.kubernetes.io/last-applied-configuration` is present: `kubectl apply` (client-side) made it. */
  lastApplied: z.boolean(),
  /** The Helm release whose ownership marks it carries (`meta.helm.sh/release-name`, `-namespace`). */
  helmRelease: z.object({ name: z.string(), namespace: z.string() }).nullable(),
  /** The Argo CD Application that tracks it (instance label, or the tracking-id annotation's `<app>:`). */
  argoCdApp: z.string().nullable(),
  /** The Flux Kustomization or HelmRelease that applied it (its `*.toolkit.fluxcd.io/name` labels). */
  flux: z
    .object({ kind: z.enum(["Kustomization", "HelmRelease"]), name: z.string(), namespace: z.string() })
    .nullable(),
});
export type ObjectOwnership = z.infer<typeof objectOwnershipSchema>;

/** Kubernetes' own components: they write status, finalizers, bindings; what they own is never adopted. */
const KUBERNETES_COMPONENTS = new Set([
  "kube-controller-manager",
  "kube-scheduler",
  "kube-apiserver",
  "kubelet",
  "cloud-controller-manager",
]);

/** The installer, in words, of a field manager: `kubectl-client-side-apply` -> "kubectl (client-side apply)". */
export function installerOf(entry: Pick<FieldManager, "manager" | "operation">): string {
  const { manager, operation } = entry;
  if (manager === "kubectl-client-side-apply") return "kubectl (client-side apply)";
  if (manager === "kubectl") return operation === "Apply" ? "kubectl (server-side apply)" : "kubectl";
  if (manager.startsWith("kubectl-")) return "kubectl";
  if (manager === "helm") return "Helm";
  if (manager === "argocd-controller" || manager === "argocd-application-controller") return "Argo CD";
  if (manager === "kustomize-controller" || manager === "helm-controller") return "Flux";
  return manager;
}

/** Fields another applier owns that kfp-upgrade takes over: not its own, not a subresource's, not Kubernetes'. */
export function isAdoptable(entry: FieldManager): boolean {
  return (
    entry.manager !== KFP_UPGRADE_MANAGER &&
    entry.subresource === null &&
    !KUBERNETES_COMPONENTS.has(entry.manager)
  );
}

/** The adoptable managers of an object, sorted and distinct. */
export function adoptableManagers(ownership: ObjectOwnership): string[] {
  return [...new Set(ownership.managers.filter(isAdoptable).map((entry) => entry.manager))].sort(compareText);
}

/**
 * Who installed or manages the object, in words, sorted: its field managers (Kubernetes' components and
 * subresource writers left out) and the tools its marks name, each once.
 */
export function installersOf(ownership: ObjectOwnership): string[] {
  const words = new Set(
    ownership.managers
      .filter((entry) => entry.subresource === null && !KUBERNETES_COMPONENTS.has(entry.manager))
      .map(installerOf),
  );
  if (ownership.lastApplied && ownership.managers.length === 0) words.add("kubectl (client-side apply)");
  if (ownership.helmRelease) words.add("Helm");
  if (ownership.argoCdApp) words.add("Argo CD");
  if (ownership.flux) words.add("Flux");
  return [...words].sort(compareText);
}

/** An object's ownership as its metadata says; unknown shapes degrade to "nobody", never throw. */
export function ownershipOf(object: KubeObject): ObjectOwnership {
  const { metadata } = object;
  const labels = metadata.labels ?? {};
  const annotations = metadata.annotations ?? {};
  const namespace = metadata.namespace ?? null;
  const helmName = annotations[HELM_RELEASE_NAME_ANNOTATION];
  return {
    apiVersion: object.apiVersion,
    kind: object.kind,
    name: metadata.name,
    namespace,
    managers: managersOf(metadata.managedFields),
    lastApplied: annotations[LAST_APPLIED_ANNOTATION] !== undefined,
    helmRelease: helmName
      ? {
          name: helmName,
          namespace: annotations[HELM_RELEASE_NAMESPACE_ANNOTATION] ?? namespace ?? "default",
        }
      : null,
    argoCdApp:
      labels[ARGOCD_INSTANCE_LABEL] || argoCdAppOfTrackingId(annotations[ARGOCD_TRACKING_ANNOTATION]),
    flux: fluxOf(labels),
  };
}

/** `<app>:<group>/<kind>:<namespace>/<name>` -> `<app>` (Argo CD's annotation tracking). */
function argoCdAppOfTrackingId(value: string | undefined): string | null {
  if (!value) return null;
  const app = value.split(":")[0]?.trim();
  return app ? app : null;
}

function fluxOf(labels: Record<string, string>): ObjectOwnership["flux"] {
  for (const { kind, prefix } of FLUX_LABELS) {
    const name = labels[`${prefix}/name`];
    if (name) return { kind, name, namespace: labels[`${prefix}/namespace`] ?? "" };
  }
  return null;
}

function managersOf(value: unknown): FieldManager[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((entry): FieldManager[] => {
    if (typeof entry !== "object" || entry === null) return [];
    const { manager, operation, apiVersion, subresource } = entry as Record<string, unknown>;
    if (typeof manager !== "string" || manager === "") return [];
    return [
      {
        manager,
        operation: typeof operation === "string" ? operation : "",
        apiVersion: typeof apiVersion === "string" ? apiVersion : "",
        subresource: typeof subresource === "string" && subresource !== "" ? subresource : null,
      },
    ];
  });
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
