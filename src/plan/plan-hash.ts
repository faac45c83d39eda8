import { createHash } from "node:crypto";
import { redactSecrets } from "../redact.js";
import type { Plan } from "./plan.js";

/** Identifies a plan by its steps (not its timestamp), for history and for "resume the same run?". */
export function planHash(plan: Plan): string {
  const { createdAt, ...rest } = plan;
  void createdAt;
  return createHash("sha256")
    .update(JSON.stringify(redactSecrets(rest)))
    .digest("hex")
    .slice(0, 16);
}
