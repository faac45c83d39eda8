/**
 * Every failure the tool reports is a KfpError: a stable `code`, the process exit code, a message that says what
 * happened and a hint that says what to do next. Only `src/cli/main.ts` turns these into an exit status.
 */
export const EXIT_CODES = {
  ok: 0,
  failure: 1,
  usage: 2,
  /** `--dry-run --exit-code`: the plan would change something (as `terraform plan -detailed-exitcode`). */
  wouldChange: 2,
  /** `check --exit-code`: `upgrade` would refuse. */
  checkRefused: 2,
  /** `check --exit-code`: `upgrade` would run, with warnings or one-way steps. */
  checkWarnings: 3,
  config: 3,
  preflight: 4,
  cluster: 5,
  rolledBack: 6,
  lockHeld: 7,
  failedForward: 8,
  inventoryMissing: 9,
  gcp: 10,
  interrupted: 130,
} as const;

export type ExitCode = (typeof EXIT_CODES)[keyof typeof EXIT_CODES];

export interface KfpErrorOptions {
  hint?: string;
  cause?: unknown;
  /** Extra lines (one problem per line) printed under the message, e.g. every zod issue at once. */
  details?: string[];
}

export class KfpError extends Error {
  readonly code: string;
  readonly exitCode: ExitCode;
  readonly hint: string | undefined;
  readonly details: string[];

  constructor(code: string, exitCode: ExitCode, message: string, options: KfpErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.exitCode = exitCode;
    this.hint = options.hint;
    this.details = options.details ?? [];
  }
}

/** Bad flags or arguments: exit 2. */
export class UsageError extends KfpError {
  constructor(code: string, message: string, options?: KfpErrorOptions) {
    super(code, EXIT_CODES.usage, message, options);
  }
}

/** kfp-app.yaml, a legacy KFAPP, or a release bundle on disk is wrong: exit 3. */
export class ConfigError extends KfpError {
  constructor(code: string, message: string, options?: KfpErrorOptions) {
    super(code, EXIT_CODES.config, message, options);
  }
}

/** The tool refuses to start because the change would be unsafe: exit 4. Nothing was changed. */
export class PreflightRefusal extends KfpError {
  constructor(code: string, message: string, options?: KfpErrorOptions) {
    super(code, EXIT_CODES.preflight, message, options);
  }
}

/**
 * A hop's writes, run first as a server-side dry run (`dryRun=All`), were refused by the API server (a conflict,
 * validation or admission): the hop was not started, so nothing of it changed: exit 4. `details` has one line per
 * refused write, naming the object, the verb and the server's message.
 */
export class DryRunRefused extends PreflightRefusal {
  /** The hop refused (undefined in a single-hop plan). */
  readonly hop: number | undefined;

  constructor(message: string, options: KfpErrorOptions & { hop?: number | undefined } = {}) {
    super("SERVER_DRY_RUN_REJECTED", message, options);
    this.hop = options.hop;
  }
}

/** The API server refused or could not be reached: exit 5. */
export class KubeApiError extends KfpError {
  readonly statusCode: number | undefined;
  readonly reason: string | undefined;

  constructor(
    message: string,
    options: KfpErrorOptions & { statusCode?: number; reason?: string; code?: string } = {},
  ) {
    super(options.code ?? "KUBE_API", EXIT_CODES.cluster, message, options);
    this.statusCode = options.statusCode;
    this.reason = options.reason;
  }
}

/** A rollout did not become ready; the executor restored the previous state: exit 6. */
export class RolloutFailed extends KfpError {
  constructor(code: string, message: string, options?: KfpErrorOptions) {
    super(code, EXIT_CODES.rolledBack, message, options);
  }
}

/**
 * A rollout failed after the point of no return (a new MySQL series or a schema-migrating API server had started on
 * the data): what could safely go back was restored, MySQL, the object store and the API server were kept at the
 * new release, and the data was kept: exit 8. `kfp-upgrade resume` continues forward once the cause is fixed.
 */
export class FailedForward extends KfpError {
  constructor(message: string, options?: KfpErrorOptions) {
    super("FAILED_FORWARD", EXIT_CODES.failedForward, message, options);
  }
}

/**
 * After a hop's rollout (or a reinstall's), KFP's own API no longer lists objects it listed before (experiments,
 * pipelines, pipeline versions, runs, recurring runs): the run stopped before any prune of that hop: exit 9.
 */
export class InventoryMissing extends KfpError {
  constructor(message: string, options?: KfpErrorOptions) {
    super("INVENTORY_MISSING", EXIT_CODES.inventoryMissing, message, options);
  }
}

/**
 * gcloud could not answer a question about GCP (not installed, not logged in, no or a wrong project, the API
 * disabled, a quota, a permission): exit 10. Raised only while reading, before anything changed; the hint names
 * the gcloud command that shows or fixes the cause. gcloud's own output is never passed on unfiltered.
 */
export class GcpError extends KfpError {
  /** The gcloud command line (arguments only, never credentials) that failed. */
  readonly command: string;

  constructor(code: string, message: string, options: KfpErrorOptions & { command: string }) {
    super(code, EXIT_CODES.gcp, message, options);
    this.command = options.command;
  }
}

/** Another run holds the lock: exit 7. */
export class LockHeld extends KfpError {
  constructor(message: string, options?: KfpErrorOptions) {
    super("LOCK_HELD", EXIT_CODES.lockHeld, message, options);
  }
}

/**
 * The lock this run held was lost (another run holds it now, or it could not be renewed in time): the run stopped
 * before its next step, since another run may be changing the namespace: exit 7.
 */
export class LockLost extends KfpError {
  constructor(message: string, options?: KfpErrorOptions) {
    super("LOCK_LOST", EXIT_CODES.lockHeld, message, {
      ...options,
      hint:
        options?.hint ??
        "Check `kfp-upgrade status` and whether another run is active; when none is, `kfp-upgrade resume` continues this run.",
    });
  }
}

/** SIGINT/SIGTERM: exit 130 after the journal is written and the lock released. */
export class Interrupted extends KfpError {
  constructor(message: string, options?: KfpErrorOptions) {
    super("INTERRUPTED", EXIT_CODES.interrupted, message, options);
  }
}

/** A cluster or data check after a change failed (e.g. a PVC bound to another PV UID): exit 5. */
export class VerificationFailed extends KfpError {
  constructor(code: string, message: string, options?: KfpErrorOptions) {
    super(code, EXIT_CODES.cluster, message, options);
  }
}

export const ISSUES_URL = "https://github.com/kfp-upgrade/kfp-upgrade/issues";

/** A bug in kfp-upgrade itself: exit 1, with a link to report it. */
export class InternalError extends KfpError {
  constructor(message: string, options?: KfpErrorOptions) {
    super("INTERNAL", EXIT_CODES.failure, message, {
      ...options,
      hint: options?.hint ?? `This is a bug in kfp-upgrade; please report it at ${ISSUES_URL}`,
    });
  }
}

export function isKfpError(value: unknown): value is KfpError {
  return value instanceof KfpError;
}
