import { Chalk, type ChalkInstance } from "chalk";
import yaml from "js-yaml";
import type { KfpError } from "../errors.js";
import type { ExecutionEvent } from "../execute/execution-event.js";
import type { DeploymentProgress } from "../execute/readiness/apps-v1-deployment-progress.js";
import { redactSecrets } from "../redact.js";
import type { CommandResult, OutputFormat } from "./command-result.js";
import { errorOutput } from "./json-output/error-output.js";
import type { LiveView, LiveWriter } from "./live-view.js";
import { describeRunSummary, emptyRunSummary, recordForSummary } from "./run-summary.js";

export interface OutputStreams {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
}

/**
 * The one place that writes: data (results, plans, JSON events) to stdout, progress and errors to stderr. Everything
 * goes through `redactSecrets`. Colour only on a TTY, never with NO_COLOR. Progress is a live view redrawn in place
 * (src/cli/live-view.ts) when stderr is a terminal and CI is unset; otherwise plain timestamped lines, no cursor
 * movement, so CI logs stay readable.
 */
export class Output {
  readonly color: boolean;
  private readonly chalk: ChalkInstance;
  private lastProgress = new Map<string, number>();
  private stepNumber = 0;
  private totalSteps = 0;
  /** Whether `-o yaml` has printed events, so what follows is a further `---` document. */
  private yamlDocuments = false;
  /** Progress redrawn in place: text output, not --quiet, stderr a terminal, CI unset. */
  readonly live: boolean;
  private liveView: LiveView | null = null;
  /** Events that arrived while log-update was being loaded: replayed into the live view once it is. */
  private pending: ExecutionEvent[] | null = null;
  private readonly summary = emptyRunSummary();
  /** Whether a whole document (a plan, a command's result) is on stdout: an error then adds no second one. */
  private documentPrinted = false;

  constructor(
    private readonly streams: OutputStreams,
    readonly format: OutputFormat,
    private readonly quiet: boolean,
    private readonly verbose: boolean,
    private readonly now: () => Date = () => new Date(),
  ) {
    const env = streams.env;
    this.color =
      env.FORCE_COLOR !== undefined
        ? env.FORCE_COLOR !== "0" && env.FORCE_COLOR !== "false"
        : !("NO_COLOR" in env) && env.TERM !== "dumb" && streams.stdout.isTTY === true;
    this.chalk = new Chalk({ level: this.color ? 1 : 0 });
    const ci = env.CI !== undefined && env.CI !== "" && env.CI !== "0" && env.CI !== "false";
    this.live = format === "text" && !quiet && streams.stderr.isTTY === true && !ci && env.TERM !== "dumb";
  }

  /**
   * Starts the live view (log-update, loaded only now: start-up stays fast and runs off a terminal never load it).
   * Events until it is loaded wait in `pending`; a failure to load falls back to plain lines.
   */
  private startLiveView(): void {
    this.pending = [];
    const chalk = new Chalk({ level: this.color && this.streams.stderr.isTTY ? 1 : 0 });
    void Promise.all([import("log-update"), import("./live-view.js")]).then(
      ([{ createLogUpdate }, { LiveView }]) => {
        // error() came first and printed the pending events plainly: stay plain.
        if (this.pending === null) return;
        const draw = createLogUpdate(this.streams.stderr as NodeJS.WriteStream);
        const writer: LiveWriter = {
          update: (text) => draw(redactSecrets(text)),
          persist: (text) => draw.persist(redactSecrets(text)),
          done: () => draw.done(),
        };
        const view = new LiveView(writer, chalk, () => this.now().getTime());
        const pending = this.pending ?? [];
        this.pending = null;
        this.liveView = view;
        for (const event of pending) view.event(event);
      },
      () => this.flushPending(),
    );
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
    if (this.live && event.type === "plan" && !this.liveView && !this.pending) this.startLiveView();
    if (this.pending) {
      this.pending.push(event);
      return;
    }
    if (this.liveView) {
      this.liveView.event(event);
      if (event.type === "result") this.liveView = null;
      return;
    }
    this.plainEvent(event);
  }

  private flushPending(): void {
    const pending = this.pending ?? [];
    this.pending = null;
    for (const event of pending) this.plainEvent(event);
  }

  /** One event as plain lines on stderr, each starting with the time (UTC, to the second). */
  private plainEvent(event: ExecutionEvent): void {
    const c = this.chalk;
    const at = this.now();
    const line = (text: string) => this.info(`${c.dim(timestamp(at))} ${text}`);
    recordForSummary(this.summary, event, at.getTime());
    switch (event.type) {
      case "plan":
        this.totalSteps = event.plan.steps.length;
        this.stepNumber = 0;
        return;
      case "step-start":
        this.stepNumber += 1;
        if (!this.quiet) line(`${c.dim(`[${this.stepNumber}/${this.totalSteps}]`)} ${event.description}`);
        return;
      case "step-progress": {
        if (this.quiet) return;
        if (event.deployments) {
          // Printed whenever it changes (the executor reports it only then): the causes must not be skipped.
          for (const text of deploymentLines(event.deployments)) line(c.dim(`      ${text}`));
          return;
        }
        const now = at.getTime();
        const last = this.lastProgress.get(event.stepId) ?? 0;
        if (!this.verbose && now - last < 5000) return;
        this.lastProgress.set(event.stepId, now);
        line(c.dim(`      ${event.message}`));
        return;
      }
      case "step-skip":
        if (this.verbose) line(c.dim(`      skipped ${event.stepId}: ${event.reason}`));
        return;
      case "step-end":
        if (!event.ok) line(c.red(`      failed: ${event.message}`));
        else if (!this.quiet)
          line(c.dim(`      ${event.message} (${(event.durationMs / 1000).toFixed(1)}s)`));
        return;
      case "warning":
        line(c.yellow(`warning: ${event.message}`));
        return;
      case "rollback":
        line(c.magenta(`rollback: ${event.message}`));
        return;
      case "result": {
        if (!this.quiet || !event.ok) {
          const [first, ...rest] = describeRunSummary(this.summary, event, at.getTime());
          line(event.ok ? c.green(first ?? event.message) : c.red(first ?? event.message));
          if (!this.quiet) for (const text of rest) this.info(text);
        }
        if (this.verbose && event.apiRequests !== undefined)
          this.info(c.dim(`${event.apiRequests} API requests`));
        return;
      }
      default:
        event satisfies never;
    }
  }

  info(message: string): void {
    if (this.liveView) {
      this.liveView.info(message);
      return;
    }
    this.streams.stderr.write(`${redactSecrets(message)}\n`);
  }

  /** `document: false` when the document printed next carries the error itself (a dry run's refused plan). */
  error(error: KfpError, options: { document?: boolean } = {}): void {
    // The live view stops first, so the error is printed below its last frame, not redrawn over.
    this.liveView?.close();
    this.liveView = null;
    this.flushPending();
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

/** Plain lines for a rollout's Deployments: how many are ready, then each unready one with its cause. */
function deploymentLines(deployments: readonly DeploymentProgress[]): string[] {
  const unready = deployments.filter((d) => d.ready < d.desired);
  return [
    `${deployments.length - unready.length}/${deployments.length} Deployments ready`,
    ...unready.map(
      (d) =>
        `  ${d.name} ${d.ready}/${d.desired}${d.cause ? `: ${d.cause.reason}${d.cause.message ? `: ${d.cause.message}` : ""} (pod ${d.cause.pod})` : ""}`,
    ),
  ];
}

/** `2026-12-03T10:29:21Z`: UTC, to the second. */
function timestamp(at: Date): string {
  return `${at.toISOString().slice(0, 19)}Z`;
}
