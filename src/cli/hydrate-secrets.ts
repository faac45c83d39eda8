import type { KubeObject } from "../model/kube-object.js";
import type { Plan } from "../plan/plan.js";
import { bundleNamespace, retargetNamespace } from "../plan/retarget-namespace.js";
import type { Step } from "../plan/step.js";
import { REDACTED } from "../redact.js";
import type { Release } from "../release/release.js";

/**
 * A journaled plan has its Secret values redacted (they never reach disk). Before a resume, each redacted Secret is
 * filled in again from the release bundle it came from; one that cannot be found is dropped with a warning, since
 * `createIfAbsent` must never write `<redacted>` into a cluster.
 */
export function hydrateSecrets(plan: Plan, releases: Release[]): { plan: Plan; warnings: string[] } {
  const secrets = new Map<string, KubeObject>();
  for (const release of releases) {
    const objects = retargetNamespace(release.objects, bundleNamespace(release.objects), plan.namespace);
    for (const object of objects) if (object.kind === "Secret") secrets.set(object.metadata.name, object);
  }
  const warnings: string[] = [];
  const steps = plan.steps.map((step): Step => {
    if (step.kind !== "createIfAbsent") return step;
    const objects = step.objects.flatMap((object) => {
      if (object.kind !== "Secret" || !isRedacted(object)) return [object];
      const original = secrets.get(object.metadata.name);
      if (original) return [original];
      warnings.push(
        `secret/${object.metadata.name}: its values are not in any bundle, so it is only kept if it exists`,
      );
      return [];
    });
    return { ...step, objects };
  });
  return { plan: { ...plan, steps }, warnings };
}

function isRedacted(object: KubeObject): boolean {
  const values = [
    ...Object.values((object.data ?? {}) as Record<string, unknown>),
    ...Object.values((object.stringData ?? {}) as Record<string, unknown>),
  ];
  return values.some((value) => value === REDACTED);
}
