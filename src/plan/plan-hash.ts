import { createHash } from "node:crypto";
import { redactSecrets } from "../redact.js";
import type { Plan } from "./plan.js";

/**
 * Identifies a plan by its steps (not its timestamp), for history and for `resume`'s check that the journaled plan
 * is the one that started. Keys are sorted first, so the plan read back from the journal (validated, its keys in
 * schema order) hashes like the plan the builder made.
 */
export function planHash(plan: Plan): string {
  const { createdAt, ...rest } = plan;
  void createdAt;
  return createHash("sha256")
    .update(JSON.stringify(canonical(redactSecrets(rest))))
    .digest("hex")
    .slice(0, 16);
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (typeof value !== "object" || value === null) return value;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(entries.map(([k, v]) => [k, canonical(v)]));
}
