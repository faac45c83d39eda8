import type { ClusterSnapshot } from "../model/cluster-snapshot.js";
import type { StepDraft } from "./step-list.js";

export const WAIT_FOR_WORKFLOWS_FLAG = "--wait-for-workflows";
export const IGNORE_RUNNING_WORKFLOWS_FLAG = "--ignore-running-workflows";

/**
 * KFP 2.18's guide asks that pre-upgrade workflows have drained before the hardened API server starts. With Argo
 * Workflows of the namespace unfinished (as the snapshot read them), the hop is refused, naming them; or waited for
 * with a step (`--wait-for-workflows`); or gone ahead with a warning (`--ignore-running-workflows`). Returns the
 * wait step, if any; refusals and warnings are added to the lists given.
 */
export function drainWorkflows(input: {
  namespace: string;
  snapshot: ClusterSnapshot;
  release: string;
  choice: "wait" | "ignore" | undefined;
  refusals: string[];
  warnings: string[];
}): StepDraft | null {
  const { namespace, snapshot, release, choice } = input;
  const active = snapshot.activeWorkflows;
  const why = `KFP ${release}'s API server must not start while workflows from before the upgrade still run (KFP's upgrade-2.18 guide)`;
  if (active === null) {
    input.warnings.push(
      `the Argo Workflows of namespace ${namespace} could not be read (no permission to list workflows.argoproj.io): make sure none is running before the hop to ${release}; ${why}`,
    );
    return null;
  }
  if (active.length === 0) return null;
  const named = active.map((w) => `${w.name} (${w.phase ?? "no phase yet"})`).join(", ");
  if (choice === "ignore") {
    input.warnings.push(
      `${active.length} Argo Workflow${active.length === 1 ? "" : "s"} of namespace ${namespace} still run${active.length === 1 ? "s" : ""} (${named}); ${IGNORE_RUNNING_WORKFLOWS_FLAG} goes ahead anyway, although ${why}`,
    );
    return null;
  }
  if (choice === "wait") {
    return {
      kind: "waitWorkflowsDone",
      namespace,
      workflows: active.map((w) => w.name),
      reason: why,
    };
  }
  input.refusals.push(
    `${active.length} Argo Workflow${active.length === 1 ? "" : "s"} of namespace ${namespace} ${active.length === 1 ? "is" : "are"} not finished: ${named}; ${why}. Let them finish, or pass ${WAIT_FOR_WORKFLOWS_FLAG} (waits for them, up to --timeout) or ${IGNORE_RUNNING_WORKFLOWS_FLAG}`,
  );
  return null;
}
