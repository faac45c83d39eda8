/**
 * Whether an Argo Workflow's `status.phase` means it has not finished: no phase yet (the controller has not seen it),
 * Pending or Running. Succeeded, Failed and Error are final (argoproj/argo-workflows, `WorkflowPhase` in
 * pkg/apis/workflow/v1alpha1/workflow_phase.go).
 */
export function isUnfinishedWorkflowPhase(phase: string | null): boolean {
  return phase === null || phase === "Pending" || phase === "Running";
}
