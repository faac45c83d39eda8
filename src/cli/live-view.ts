import type { ChalkInstance } from "chalk";
import type { ExecutionEvent } from "../execute/execution-event.js";
import type { DeploymentProgress } from "../execute/readiness/apps-v1-deployment-progress.js";
import type { Plan } from "../plan/plan.js";
import { describeRunSummary, emptyRunSummary, formatDuration, recordForSummary } from "./run-summary.js";

/** What draws the live block: log-update on a terminal (src/cli/output.ts), a recorder in tests. */
export interface LiveWriter {
  /** Replaces the block drawn last with `text`. */
  update(text: string): void;
  /** Clears the block, writes `text` above it for good (the scrollback), and draws the block again below. */
  persist(text: string): void;
  /** Leaves the last block as it is and stops drawing. */
  done(): void;
}

const SPINNER = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
export const SPINNER_INTERVAL_MS = 120;

interface Running {
  number: number;
  description: string;
  startedAt: number;
  message: string;
  deployments: DeploymentProgress[];
}

/**
 * The run on a terminal: every finished step stays as one line (✔ or ✖, with its duration); the running step is a
 * spinner line with its elapsed time, the latest progress message below it and, while a rollout is waited for, one
 * line per Deployment with its new replicas ready of desired and the first cause of an unready one, redrawn in place.
 * Ends with the run's summary.
 */
export class LiveView {
  private total = 0;
  private number = 0;
  private running: Running | null = null;
  private frameIndex = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly summary = emptyRunSummary();

  constructor(
    private readonly writer: LiveWriter,
    private readonly chalk: ChalkInstance,
    private readonly now: () => number = Date.now,
    /** How often the spinner turns; null: only when `tick()` is called (tests). */
    private readonly intervalMs: number | null = SPINNER_INTERVAL_MS,
  ) {}

  start(plan: Plan): void {
    this.total = plan.steps.length;
    if (this.intervalMs === null) return;
    this.timer = setInterval(() => this.tick(), this.intervalMs);
    this.timer.unref();
  }

  /** Advances the spinner and redraws (the timer's job; tests call it). */
  tick(): void {
    this.frameIndex = (this.frameIndex + 1) % SPINNER.length;
    this.draw();
  }

  event(event: ExecutionEvent): void {
    const c = this.chalk;
    recordForSummary(this.summary, event, this.now());
    switch (event.type) {
      case "plan":
        this.start(event.plan);
        return;
      case "step-start":
        this.number += 1;
        this.running = {
          number: this.number,
          description: event.description,
          startedAt: this.now(),
          message: "",
          deployments: [],
        };
        this.draw();
        return;
      case "step-progress":
        if (!this.running) return;
        if (event.deployments) this.running.deployments = event.deployments;
        else this.running.message = event.message;
        this.draw();
        return;
      case "step-skip":
        return;
      case "step-end": {
        const description = this.running?.description ?? event.stepId;
        const seconds = formatDuration(event.durationMs);
        const head = `[${this.running?.number ?? this.number}/${this.total}] ${description}`;
        const lines = event.ok
          ? [`${c.green("✔")} ${head} ${c.dim(seconds)}`]
          : [
              `${c.red("✖")} ${head} ${c.dim(seconds)}`,
              // What was still unready when the step failed stays in the scrollback with its cause.
              ...this.deploymentLines((this.running?.deployments ?? []).filter((d) => d.ready < d.desired)),
              c.red(`    failed: ${event.message}`),
            ];
        this.running = null;
        this.writer.persist(lines.join("\n"));
        this.draw();
        return;
      }
      case "warning":
        this.writer.persist(c.yellow(`warning: ${event.message}`));
        return;
      case "rollback":
        this.writer.persist(c.magenta(`rollback: ${event.message}`));
        return;
      case "result": {
        this.stop();
        const lines = describeRunSummary(this.summary, event, this.now());
        const [first, ...rest] = lines;
        this.writer.update(
          [event.ok ? c.green(first ?? event.message) : c.red(first ?? event.message), ...rest].join("\n"),
        );
        this.writer.done();
        return;
      }
      default:
        event satisfies never;
    }
  }

  /** Writes `text` above the block (a message that is not an event). */
  info(text: string): void {
    this.writer.persist(text);
  }

  /** Stops drawing for good, leaving what is on the screen and the cursor shown (before an error is printed). */
  close(): void {
    this.stop();
    this.writer.done();
  }

  /** Stops drawing, leaving what is on the screen (before an error is printed, or at the end). */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (this.running) {
      this.writer.update(this.frame());
      this.running = null;
    }
  }

  /** The block as drawn now: the running step, its message and its Deployments. */
  frame(): string {
    const running = this.running;
    if (!running) return "";
    const c = this.chalk;
    const elapsed = formatDuration(this.now() - running.startedAt);
    const lines = [
      `${c.cyan(SPINNER[this.frameIndex] ?? "-")} [${running.number}/${this.total}] ${running.description} ${c.dim(elapsed)}`,
    ];
    if (running.deployments.length > 0) lines.push(...this.deploymentLines(running.deployments));
    else if (running.message) lines.push(c.dim(`    ${running.message}`));
    return lines.join("\n");
  }

  private deploymentLines(deployments: readonly DeploymentProgress[]): string[] {
    const c = this.chalk;
    const width = Math.max(0, ...deployments.map((d) => d.name.length));
    return deployments.map((d) => {
      const count = `${d.ready}/${d.desired}`;
      const done = d.ready >= d.desired;
      const cause = d.cause
        ? `  ${c.red(d.cause.reason)}${d.cause.message ? `: ${d.cause.message}` : ""} ${c.dim(`(pod ${d.cause.pod})`)}`
        : "";
      return `    ${d.name.padEnd(width)}  ${done ? c.green(count) : c.yellow(count)}${done ? "" : cause}`;
    });
  }

  private draw(): void {
    this.writer.update(this.frame());
  }
}
