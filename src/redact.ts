export const REDACTED = "<redacted>";

/**
 * Every value of every Secret's `data` and `stringData`, anywhere inside `value`, replaced with `<redacted>`
 * (keys are kept so a reader sees what a Secret holds). All output, journals and history pass through this.
 */
export function redactSecrets<T>(value: T): T {
  return walk(value) as T;
}

function walk(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(walk);
  if (!value || typeof value !== "object") return value;
  const record = value as Record<string, unknown>;
  const isSecret = record.kind === "Secret" && typeof record.apiVersion === "string";
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(record)) {
    if (isSecret && (key === "data" || key === "stringData") && child && typeof child === "object") {
      out[key] = Object.fromEntries(Object.keys(child as Record<string, unknown>).map((k) => [k, REDACTED]));
    } else {
      out[key] = walk(child);
    }
  }
  return out;
}
