import type { Plan } from "../plan/plan.js";
import type { DeploymentProgress } from "./readiness/apps-v1-deployment-progress.js";

export type Outcome = "succeeded" | "failed" | "rolled-back" | "failed-forward" | "interrupted" | "refused";

/** What the executor reports while it runs; the CLI renders these as progress (text) or JSON lines. */
export type ExecutionEvent =
  | { type: "plan"; plan: Plan }
  | { type: "step-start"; stepId: string; kind: string; description: string }
  | {
      type: "step-progress";
      stepId: string;
      message: string;
      /** While a rollout is waited for: each Deployment's new replicas ready of desired and first pod-level cause. */
      deployments?: DeploymentProgress[];
    }
  | { type: "step-skip"; stepId: string; reason: string }
  | { type: "step-end"; stepId: string; ok: boolean; message: string; durationMs: number }
  | { type: "warning"; message: string }
  | { type: "rollback"; message: string }
  | {
      type: "result";
      ok: boolean;
      outcome: Outcome;
      message: string;
      bindings: { claim: string; volumeName: string | null; volumeUid: string | null }[];
      /** API requests this process made, retries and watches included. */
      apiRequests?: number;
    };
