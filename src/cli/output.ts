import { Chalk, type ChalkInstance } from "chalk";
import yaml from "js-yaml";
import type { KfpError } from "../errors.js";
import type { ExecutionEvent } from "../execute/execution-event.js";
import { redactSecrets } from "../redact.js";
import type { CommandResult, OutputFormat } from "./command-result.js";
import { errorOutput } from "./json-output/error-output.js";

export interface OutputStreams {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
}

/**
 * The one place that writes: data (results, plans, JSON events) to stdout, progress and errors to stderr. Everything
 * goes through `redactSecrets`. Colour only on a TTY, never with NO_COLOR; no spinners, so CI logs stay readable.
 */
export class Output {
  readonly color: boolean;
  private readonly chalk: ChalkInstance;
  private lastProgress = new Map<string, number>();
  private stepNumber = 0;
  private totalSteps = 0;
  /** Whether `-o yaml` has printed events, so what follows is a further `---` document. */
  private yamlDocuments = false;
  /** Whether a whole document (a plan, a command's result) is on stdout: an error then adds no second one. */
  private documentPrinted = false;

  constructor(
    private readonly streams: OutputStreams,
    readonly format: OutputFormat,
    private readonly quiet: boolean,
    private readonly verbose: boolean,
  ) {
    const env = streams.env;
    this.color =
      env.FORCE_COLOR !== undefined
        ? env.FORCE_COLOR !== "0" && env.FORCE_COLOR !== "false"
        : !("NO_COLOR" in env) && env.TERM !== "dumb" && streams.stdout.isTTY === true;
    this.chalk = new Chalk({ level: this.color ? 1 : 0 });
  }

  result(result: CommandResult): void {
    if (this.format === "text") {
      if (result.text.length > 0) this.streams.stdout.write(`${result.text}\n`);
      return;
    }
    this.data(result.data);
  }

  data(value: unknown): void {
    // A run that executed its plan has said everything in its events.
    if (value === undefined) return;
    this.documentPrinted = true;
    const safe = redactSecrets(value);
    if (this.format === "yaml") {
      // After events, each document is `---`-separated, so the whole stream loads with yaml.loadAll.
      this.streams.stdout.write(
        `${this.yamlDocuments ? "---\n" : ""}${yaml.dump(safe, { noRefs: true, lineWidth: 120 })}`,
      );
      return;
    }
    this.streams.stdout.write(`${JSON.stringify(safe, null, 2)}\n`);
  }

  /**
   * Progress for humans on stderr; with `-o json` every event is one JSON line on stdout instead, with `-o yaml`
   * one YAML document (`---`-separated).
   */
  event(event: ExecutionEvent): void {
    if (this.format === "yaml") {
      this.yamlDocuments = true;
      this.streams.stdout.write(`---\n${yaml.dump(redactSecrets(event), { noRefs: true, lineWidth: 120 })}`);
      return;
    }
    if (this.format !== "text") {
      this.streams.stdout.write(`${JSON.stringify(redactSecrets(event))}\n`);
      return;
    }
    const c = this.chalk;
    switch (event.type) {
      case "plan":
        this.totalSteps = event.plan.steps.length;
        this.stepNumber = 0;
        return;
      case "step-start":
        this.stepNumber += 1;
        if (!this.quiet)
          this.info(`${c.dim(`[${this.stepNumber}/${this.totalSteps}]`)} ${event.description}`);
        return;
      case "step-progress": {
        if (this.quiet) return;
        const now = Date.now();
        const last = this.lastProgress.get(event.stepId) ?? 0;
        if (!this.verbose && now - last < 5000) return;
        this.lastProgress.set(event.stepId, now);
        this.info(c.dim(`      ${event.message}`));
        return;
      }
      case "step-skip":
        if (this.verbose) this.info(c.dim(`      skipped ${event.stepId}: ${event.reason}`));
        return;
      case "step-end":
        if (!event.ok) this.info(c.red(`      failed: ${event.message}`));
        else if (!this.quiet)
          this.info(c.dim(`      ${event.message} (${(event.durationMs / 1000).toFixed(1)}s)`));
        return;
      case "warning":
        this.info(c.yellow(`warning: ${event.message}`));
        return;
      case "rollback":
        this.info(c.magenta(`rollback: ${event.message}`));
        return;
      case "result":
        if (!this.quiet || !event.ok) this.info(event.ok ? c.green(event.message) : c.red(event.message));
        if (this.verbose && event.apiRequests !== undefined)
          this.info(c.dim(`${event.apiRequests} API requests`));
        return;
      default:
        event satisfies never;
    }
  }

  info(message: string): void {
    this.streams.stderr.write(`${redactSecrets(message)}\n`);
  }

  /** `document: false` when the document printed next carries the error itself (a dry run's refused plan). */
  error(error: KfpError, options: { document?: boolean } = {}): void {
    const c = new Chalk({ level: this.color && this.streams.stderr.isTTY ? 1 : 0 });
    const lines = [c.red(`error: ${error.message}`)];
    for (const detail of error.details) lines.push(`  - ${detail}`);
    if (error.hint) lines.push(c.dim(`hint: ${error.hint}`));
    // The stable code, for scripts and CI logs: messages may be reworded, codes are not.
    lines.push(c.dim(`code: ${error.code} (exit ${error.exitCode})`));
    if (this.verbose && error.cause instanceof Error) lines.push(c.dim(`cause: ${error.cause.message}`));
    this.streams.stderr.write(`${lines.join("\n")}\n`);
    if (this.format === "text" || this.documentPrinted || options.document === false) return;
    // Scripts and the GitHub Action read stdout only: after the events (or instead of any), the error as one more.
    const document = redactSecrets(errorOutput(error));
    this.streams.stdout.write(
      this.format === "json"
        ? `${JSON.stringify(document)}\n`
        : `---\n${yaml.dump(document, { noRefs: true, lineWidth: 120 })}`,
    );
  }
}
