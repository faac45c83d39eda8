import { PreflightRefusal } from "../errors.js";
import { compareVersions } from "../release/compare-versions.js";
import type { InventoryBaseline } from "./step.js";
import type { StepDraft } from "./step-list.js";

/** One object KFP 2.15's legacy-schema migration would refuse to start on, described for the refusal. */
export interface LegacySchemaProblem {
  /** `experiment "aaaa…" (id 3f2a…): name is 200 characters, KFP 2.15.0 allows 128 (experiments.Name)` */
  description: string;
  /** How to fix it (shorten in the mlpipeline database, or delete). */
  fix: string;
}

/**
 * What the command learnt of KFP's own inventory before planning, as data (the plan builder does no I/O):
 * - `read`: KFP's API answered; `baseline` must still be listed after each hop; `legacySchema` lists what the
 *   one-way migration of `since` (2.15.0) would refuse;
 * - `recorded`: reinstall's baseline, the last inventory the KFAPP recorded (`recordedAt`);
 * - `unreachable`: KFP's API did not answer (`reason`): the run continues, without the after-hop comparison;
 * - `none`: reinstall with no inventory recorded in the KFAPP: nothing to compare with, what it lists is recorded;
 * - `record`: deploy: nothing to compare with; what the new install lists is recorded for later runs;
 * - `skipped`: `--skip-inventory`.
 */
export type PlanInventory =
  | {
      state: "read";
      endpoint?: string | undefined;
      multiUser?: MultiUserAccess | undefined;
      baseline: InventoryBaseline;
      legacySchema: { since: string; problems: LegacySchemaProblem[] };
    }
  | {
      state: "recorded";
      endpoint?: string | undefined;
      multiUser?: MultiUserAccess | undefined;
      baseline: InventoryBaseline;
      recordedAt: string;
    }
  | { state: "unreachable"; reason: string; legacySchemaSince: string }
  | ({ state: "none" } & KfpApiAccess)
  | ({ state: "record" } & KfpApiAccess)
  | { state: "skipped" };

/** Where KFP's API is read: `--kfp-endpoint` (else the service proxy) and a multi-user install's flags. */
export interface KfpApiAccess {
  endpoint?: string | undefined;
  multiUser?: MultiUserAccess | undefined;
}

/**
 * How long a recordInventory step waits for KFP's API. The rollout before it waited for ml-pipeline's readiness
 * probe, which asks the API server itself, so a healthy install answers at once; one that does not is a warning.
 */
export const RECORD_INVENTORY_SECONDS = 10;

/** `--kfp-namespaces` and `--kfp-user` of a multi-user install, kept in the step so `resume` reads the same. */
export interface MultiUserAccess {
  namespaces: string[];
  user: string;
}

/** The step that checks, after a rollout, that KFP still lists the baseline; null when there is nothing to compare. */
export function verifyInventoryStep(
  namespace: string,
  inventory: PlanInventory | undefined,
): StepDraft | null {
  if (inventory?.state !== "read" && inventory?.state !== "recorded") return null;
  return {
    kind: "verifyInventory",
    namespace,
    ...(inventory.endpoint ? { endpoint: inventory.endpoint } : {}),
    ...(inventory.multiUser
      ? { kfpNamespaces: inventory.multiUser.namespaces, kfpUser: inventory.multiUser.user }
      : {}),
    source:
      inventory.state === "read"
        ? "as KFP's API listed them before the run"
        : `as recorded in the KFAPP at ${inventory.recordedAt}`,
    baseline: inventory.baseline,
  };
}

/**
 * The step that records what KFP lists once the install is up, when there is nothing to compare it with (deploy, a
 * reinstall with nothing recorded); null otherwise.
 */
export function recordInventoryStep(
  namespace: string,
  inventory: PlanInventory | undefined,
): StepDraft | null {
  if (inventory?.state !== "none" && inventory?.state !== "record") return null;
  return {
    kind: "recordInventory",
    namespace,
    ...(inventory.endpoint ? { endpoint: inventory.endpoint } : {}),
    ...(inventory.multiUser
      ? { kfpNamespaces: inventory.multiUser.namespaces, kfpUser: inventory.multiUser.user }
      : {}),
  };
}

/** Warnings and notes the plan carries about the inventory. */
export function inventoryMessages(
  inventory: PlanInventory | undefined,
  path: { from: string | null; to: string },
): { warnings: string[]; notes: string[] } {
  if (inventory === undefined) return { warnings: [], notes: [] };
  switch (inventory.state) {
    case "skipped":
      return {
        warnings: [],
        notes: ["--skip-inventory: KFP's experiments, pipelines and runs are not listed or compared"],
      };
    case "none":
      return {
        warnings: [
          "no KFP inventory is recorded in the KFAPP (.kfp-upgrade/inventory.json): the reinstalled KFP's experiments, pipelines and runs are not compared with anything; what it lists now is recorded for later runs",
        ],
        notes: [],
      };
    case "unreachable":
      return {
        warnings: [
          `KFP's API could not be read before the run (${inventory.reason}): continuing; the after-hop comparison is skipped`,
          ...(crosses(path, inventory.legacySchemaSince)
            ? [
                `the KFP ${inventory.legacySchemaSince} migration pre-check could not run (it lists KFP's objects through its API): values too long for the new schema stop the ${inventory.legacySchemaSince} API server from starting`,
              ]
            : []),
        ],
        notes: [],
      };
    case "read":
    case "recorded":
    case "record":
      return { warnings: [], notes: [] };
    default:
      return inventory satisfies never;
  }
}

/**
 * KFP 2.15's one-way legacy-schema migration refuses to start on values longer than its new columns
 * (backend/src/apiserver/validation/length.go at 2.15.0): a plan whose path crosses it (from < 2.15.0 <= to) is
 * refused while any listed object is too long, every one named with its fix.
 */
export function refuseLegacySchema(
  inventory: PlanInventory | undefined,
  path: { from: string | null; to: string },
  what: string,
): void {
  if (inventory?.state !== "read") return;
  const { since, problems } = inventory.legacySchema;
  if (problems.length === 0 || !crosses(path, since)) return;
  const first = problems[0];
  throw new PreflightRefusal(
    "LEGACY_SCHEMA_TOO_LONG",
    problems.length === 1 && first
      ? `${what}: KFP ${since}'s database migration would refuse to start on ${first.description}`
      : `${what}: KFP ${since}'s database migration would refuse to start on ${problems.length} values longer than its new columns`,
    {
      details: problems.map((problem) => `${problem.description}. Fix: ${problem.fix}`),
      hint: `Shorten or delete every object named (KFP ${since} checks these lengths before its one-way schema migration and aborts the API server's start), then run the command again. Nothing was changed.`,
    },
  );
}

function crosses(path: { from: string | null; to: string }, since: string): boolean {
  if (path.from === null || path.to === "") return false;
  return compareVersions(path.from, since) < 0 && compareVersions(path.to, since) >= 0;
}
