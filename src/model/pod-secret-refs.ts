type Json = Record<string, unknown>;

/**
 * The Secrets a pod spec's containers and init containers read through `env[].valueFrom.secretKeyRef` and
 * `envFrom[].secretRef`, sorted. Unknown shapes yield nothing, never throw.
 */
export function podSecretRefs(podSpec: unknown): string[] {
  const names = new Set<string>();
  const spec = record(podSpec);
  for (const container of [...records(spec.containers), ...records(spec.initContainers)]) {
    for (const env of records(container.env)) {
      const name = record(record(env.valueFrom).secretKeyRef).name;
      if (typeof name === "string" && name) names.add(name);
    }
    for (const from of records(container.envFrom)) {
      const name = record(from.secretRef).name;
      if (typeof name === "string" && name) names.add(name);
    }
  }
  return [...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** The pod template's spec of a Deployment (or any workload with `spec.template`). */
export function podTemplateSpec(workload: unknown): unknown {
  return record(record(record(workload).spec).template).spec;
}

function record(value: unknown): Json {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Json) : {};
}

function records(value: unknown): Json[] {
  return Array.isArray(value) ? value.map(record) : [];
}
