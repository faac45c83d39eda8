import { execa } from "execa";
import type { z } from "zod";
import { GcpError } from "../errors.js";
import { formatZodIssues } from "../format-zod-issues.js";
import { describeGcloudFailure, gcloudMissing } from "./gcloud-failure.js";

/** The one way kfp-upgrade runs gcloud: a narrow interface, so the code that asks can be read and tested alone. */
export interface Gcloud {
  readonly project: string;
  /**
   * Runs `gcloud ARGS --project P --format=json` (arguments, never a shell) and parses its answer with `schema`.
   * A failure is a GcpError naming the command; gcloud's stderr is reduced to its ERROR lines first.
   */
  json<S extends z.ZodType>(args: readonly string[], schema: S): Promise<z.infer<S>>;
}

export interface GcloudOptions {
  project: string;
  /** The environment gcloud runs in: CLOUDSDK_CONFIG (and the rest of gcloud's settings) come from here. */
  env: NodeJS.ProcessEnv;
  /** `gcloud` unless KFP_UPGRADE_GCLOUD names another binary. */
  binary?: string;
  timeoutSeconds?: number;
}

export function createGcloud(options: GcloudOptions): Gcloud {
  const binary = options.binary ?? options.env.KFP_UPGRADE_GCLOUD ?? "gcloud";
  const env = {
    ...options.env,
    // Never wait on a prompt, never offer an update or a survey in the middle of a run.
    CLOUDSDK_CORE_DISABLE_PROMPTS: "1",
    CLOUDSDK_COMPONENT_MANAGER_DISABLE_UPDATE_CHECK: "true",
    CLOUDSDK_SURVEY_DISABLE_PROMPTS: "true",
  };
  const timeoutSeconds = options.timeoutSeconds ?? 120;
  return {
    project: options.project,
    async json(args, schema) {
      const full = [...args, "--project", options.project, "--format=json"];
      const command = `gcloud ${full.join(" ")}`;
      const result = await execa(binary, full, {
        env,
        extendEnv: false,
        reject: false,
        stdin: "ignore",
        timeout: timeoutSeconds * 1000,
      });
      if (result.failed) {
        if (result.code === "ENOENT") throw gcloudMissing(command, binary);
        if (result.timedOut) {
          throw new GcpError(
            "GCLOUD_TIMED_OUT",
            `\`${command}\` did not answer within ${timeoutSeconds} s; nothing was changed`,
            {
              command,
              hint: `Run \`${command}\` yourself to see where it waits (a proxy, an unreachable API endpoint, a prompt).`,
            },
          );
        }
        throw describeGcloudFailure({
          command,
          project: options.project,
          stderr: String(result.stderr ?? ""),
        });
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(String(result.stdout) || "null");
      } catch (error) {
        throw new GcpError("GCLOUD_ANSWER_INVALID", `\`${command}\` did not print JSON`, {
          command,
          cause: error,
          hint: "Check the gcloud installation with `gcloud version`; kfp-upgrade needs a gcloud that honours --format=json.",
        });
      }
      const answer = schema.safeParse(parsed);
      if (!answer.success) {
        throw new GcpError("GCLOUD_ANSWER_INVALID", `\`${command}\` answered in an unexpected shape`, {
          command,
          details: formatZodIssues(answer.error),
          hint: "This gcloud or API answers differently than kfp-upgrade expects; run the command yourself to see the answer.",
        });
      }
      return answer.data;
    },
  };
}
