import type { KubeObject } from "../../model/kube-object.js";
import { isUnfinishedWorkflowPhase } from "../../model/workflow-phase.js";
import { type Readiness, ready, waiting } from "./readiness.js";

/** No Argo Workflow of the list is unfinished (no phase yet, Pending or Running); the waiting ones are named. */
export function workflowsDoneReadiness(workflows: readonly KubeObject[]): Readiness {
  const unfinished = workflows
    .map((workflow) => ({ name: workflow.metadata.name, phase: phaseOf(workflow) }))
    .filter((workflow) => isUnfinishedWorkflowPhase(workflow.phase))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  if (unfinished.length === 0) return ready("no Workflow is Pending or Running");
  const named = unfinished
    .slice(0, 5)
    .map((w) => `${w.name} (${w.phase ?? "no phase yet"})`)
    .join(", ");
  return waiting(
    `${unfinished.length} Workflow${unfinished.length === 1 ? "" : "s"} unfinished: ${named}${unfinished.length > 5 ? ", …" : ""}`,
  );
}

function phaseOf(workflow: KubeObject): string | null {
  const phase = (workflow.status as { phase?: unknown } | undefined)?.phase;
  return typeof phase === "string" && phase !== "" ? phase : null;
}
