import { PreflightRefusal } from "../errors.js";

/** Every problem is reported at once, before anything touches the cluster. */
export function refuseIfAny(refusals: string[], what: string, hint: string): void {
  if (refusals.length === 0) return;
  const [first] = refusals;
  const message =
    refusals.length === 1 && first
      ? `${what}: ${first}`
      : `${what}: ${refusals.length} problems must be fixed first`;
  throw new PreflightRefusal("PREFLIGHT", message, { hint, details: refusals.length === 1 ? [] : refusals });
}
