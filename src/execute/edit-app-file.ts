import { ConfigError, InternalError } from "../errors.js";
import type { StepOf } from "../plan/step.js";
import type { ExecutionContext } from "./execution-context.js";

type EditStep = StepOf<"editAppFile">;

/**
 * Writes the step's `after` text over the KFAPP file, only while the file still holds exactly the `before` text the
 * plan saw (an edit made since is never overwritten). Idempotent: a file that already holds `after` is left alone.
 */
export async function editAppFile(step: EditStep, ctx: ExecutionContext): Promise<string> {
  const files = appFilesOf(ctx, step);
  const current = await files.read(step.file);
  if (current === step.after) return `${step.file} already edited`;
  if (current !== step.before) throw changedSincePlan(step, current);
  await files.write(step.file, step.after);
  return `${step.file}: ${step.change}`;
}

/** Puts the file back byte for byte as the plan saw it, if it still holds what the step wrote. */
export async function undoEditAppFile(step: EditStep, ctx: ExecutionContext): Promise<string> {
  const files = appFilesOf(ctx, step);
  const current = await files.read(step.file);
  if (current === step.before) return `${step.file} is as it was before the run`;
  if (current !== step.after) {
    return `kept ${step.file}: it was changed after the run edited it, so it is not written back (its text before the run is in the journaled plan, .kfp-upgrade/journal/plan.json)`;
  }
  await files.write(step.file, step.before);
  return `restored ${step.file} as it was before the run`;
}

function appFilesOf(ctx: ExecutionContext, step: EditStep): NonNullable<ExecutionContext["appFiles"]> {
  if (!ctx.appFiles) throw new InternalError(`step ${step.id} edits ${step.file}, but this run has no KFAPP`);
  return ctx.appFiles;
}

function changedSincePlan(step: EditStep, current: string | undefined): ConfigError {
  return new ConfigError(
    "APP_FILE_CHANGED",
    current === undefined
      ? `${step.file} is gone from the KFAPP; the plan was made to edit it`
      : `${step.file} changed since the plan was made; it is not edited`,
    {
      hint: `Check ${step.file}, then run the command again to plan from what it holds now.`,
    },
  );
}
