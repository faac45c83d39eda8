import { defaultApp, type KfpApp, type Platform, type VolumeStorage } from "../../../src/app/kfp-app.js";
import type { Plan } from "../../../src/plan/plan.js";
import type { Step, StepKind, StepOf } from "../../../src/plan/step.js";
import type { Release } from "../../../src/release/release.js";
import { aSnapshot, type SnapshotBuilder } from "../../support/snapshot-builder.js";

/** Plans carry the builder's clock; a fixed one keeps rendered plans and hashes stable. */
export const NOW = new Date("2026-01-02T03:04:05Z");

/** A KFAPP as the plan builders receive it, built directly so that even conflicting storage gets through. */
export function anApp(
  options: {
    namespace?: string;
    mysql?: VolumeStorage;
    objectStore?: VolumeStorage;
    platform?: Platform;
  } = {},
): KfpApp {
  return {
    ...defaultApp(options.namespace ?? "kubeflow"),
    storage: { mysql: options.mysql ?? {}, objectStore: options.objectStore ?? {} },
    platform: options.platform ?? { type: "generic" },
  };
}

/** The app of the deploy scenarios: both claims on pre-created PVs. */
export const PV_APP = anApp({ mysql: { pvName: "kfp-mysql" }, objectStore: { pvName: "kfp-minio" } });

/**
 * A cluster running `release` as `kubectl apply` of its bundle onto two pre-created PVs left it: every object in
 * place, Deployments rolled out, CRDs Established, and both data claims Bound to PVs with known UIDs.
 */
export function installedSnapshot(release: Release, namespace = "kubeflow"): SnapshotBuilder {
  return aSnapshot(namespace)
    .withInstalled(release.version, release.objects)
    .withBoundClaim(release.dataClaims.mysql, "kfp-mysql", { uid: "pv-uid-mysql" })
    .withBoundClaim(release.dataClaims.objectStore, "kfp-minio", { uid: "pv-uid-minio" });
}

export function stepsOf<K extends StepKind>(plan: Plan, kind: K): StepOf<K>[] {
  return plan.steps.filter((step): step is StepOf<K> => step.kind === kind);
}

export function indexOf(plan: Plan, predicate: (step: Step) => boolean): number {
  const index = plan.steps.findIndex(predicate);
  if (index < 0) throw new Error("no such step in the plan");
  return index;
}

/** Every object the plan applies or creates, with the step kind that does it. */
export function plannedObjects(
  plan: Plan,
): { step: StepKind; kind: string; name: string; namespace?: string }[] {
  return plan.steps.flatMap((step) => {
    const objects =
      step.kind === "applyObjects"
        ? step.objects.map(({ object }) => object)
        : step.kind === "createIfAbsent"
          ? step.objects
          : step.kind === "ensureClaim"
            ? [step.claim]
            : step.kind === "ensureVolume"
              ? [step.volume]
              : step.kind === "recreateDeployment"
                ? [step.object]
                : [];
    return objects.map((object) => ({
      step: step.kind,
      kind: object.kind,
      name: object.metadata.name,
      ...(object.metadata.namespace ? { namespace: object.metadata.namespace } : {}),
    }));
  });
}

/** The images of every Deployment the plan applies, `deployment/container=image`. */
export function plannedImages(plan: Plan): string[] {
  return stepsOf(plan, "applyObjects")
    .flatMap((step) => step.objects.map(({ object }) => object))
    .filter((object) => object.kind === "Deployment")
    .flatMap((object) =>
      (
        (object.spec as { template: { spec: { containers: { name: string; image: string }[] } } }).template
          .spec.containers ?? []
      ).map((container) => `${object.metadata.name}/${container.name}=${container.image}`),
    );
}
