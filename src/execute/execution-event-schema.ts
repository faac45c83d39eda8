import { z } from "zod";
import { planSchema } from "../plan/plan.js";
import type { ExecutionEvent, Outcome } from "./execution-event.js";
import { deploymentProgressSchema } from "./readiness/apps-v1-deployment-progress.js";

export const outcomeSchema = z.enum([
  "succeeded",
  "failed",
  "rolled-back",
  "failed-forward",
  "interrupted",
  "refused",
]);

/**
 * The events `-o json` prints while a plan runs, one JSON object a line (schema/event.schema.json is generated from
 * this). The TypeScript union in execution-event.ts is what the executor emits; the checks below fail to compile
 * when the two differ, so the published schema cannot drift from what is printed.
 */
export const executionEventSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("plan"), plan: planSchema }),
  z.object({ type: z.literal("step-start"), stepId: z.string(), kind: z.string(), description: z.string() }),
  z.object({
    type: z.literal("step-progress"),
    stepId: z.string(),
    message: z.string(),
    /** While a rollout is waited for: each Deployment's new replicas ready of desired and first pod-level cause. */
    deployments: z.array(deploymentProgressSchema).optional(),
  }),
  z.object({ type: z.literal("step-skip"), stepId: z.string(), reason: z.string() }),
  z.object({
    type: z.literal("step-end"),
    stepId: z.string(),
    ok: z.boolean(),
    message: z.string(),
    durationMs: z.number(),
  }),
  z.object({ type: z.literal("warning"), message: z.string() }),
  z.object({ type: z.literal("rollback"), message: z.string() }),
  z.object({
    type: z.literal("result"),
    ok: z.boolean(),
    outcome: outcomeSchema,
    message: z.string(),
    bindings: z.array(
      z.object({ claim: z.string(), volumeName: z.string().nullable(), volumeUid: z.string().nullable() }),
    ),
    /** API requests this process made, retries and watches included. */
    apiRequests: z.number().int().nonnegative().optional(),
  }),
]);

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const sameEvent: Same<z.infer<typeof executionEventSchema>, ExecutionEvent> = true;
const sameOutcome: Same<z.infer<typeof outcomeSchema>, Outcome> = true;
// Optional fields pass the check above in either direction: each event type's keys are compared too.
// (`"step-progress.deployments"`: string unions, which TypeScript compares member by member.)
type EventKeys<U> = U extends { type: infer T extends string }
  ? `${T}.${Exclude<keyof U, symbol | number>}`
  : never;
const sameKeys: Same<EventKeys<z.infer<typeof executionEventSchema>>, EventKeys<ExecutionEvent>> = true;
void sameKeys;
void sameEvent;
void sameOutcome;
