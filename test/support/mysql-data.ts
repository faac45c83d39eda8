import { readFileSync } from "node:fs";
import path from "node:path";
import yaml from "js-yaml";
import { expect } from "vitest";
import {
  classifyImage,
  type MysqlSeries,
  mysqlStartDecision,
  type StartDecision,
  seriesOf,
  versionFromTag,
} from "../../local-cluster/data-store-rules.js";
import {
  lockConflicts,
  readMysqlDir,
  readSimulationEvents,
  type SimulationEvent,
  serverOverlaps,
} from "../../local-cluster/data-store-simulation.js";
import { e2eCluster, kubectlJson } from "./e2e-cluster.js";
import { SHARED_MANIFESTS } from "./run-cli.js";

// What e2e tests ask of a MySQL data directory after a run, with the rules the local cluster's data-store
// simulation applies (local-cluster/data-store-rules.ts): would MySQL still start on it, and did two servers ever
// run on it at once.

/** The MySQL image a KFP release's bundle runs, e.g. "mysql:8.4" for 2.14.4 (`manifests`: the bundles' directory). */
export function mysqlImageOf(
  kfpVersion: string,
  manifests = SHARED_MANIFESTS,
  file = "platform-agnostic.yaml",
): string {
  const documents = yaml.loadAll(readFileSync(path.join(manifests, kfpVersion, file), "utf8")) as {
    kind?: string;
    metadata?: { name?: string };
    spec?: { template?: { spec?: { containers?: { image: string }[] } } };
  }[];
  for (const document of documents) {
    if (document?.kind !== "Deployment") continue;
    const image = document.spec?.template?.spec?.containers?.find(
      (c) => classifyImage(c.image)?.kind === "mysql",
    );
    if (image) return image.image;
  }
  throw new Error(`the ${kfpVersion} bundle (${file}) runs no MySQL image`);
}

/** The MySQL version a KFP release's image records ("8.0.26" for 2.5.0, "8.4.0" for 2.14.4's `mysql:8.4`). */
export function mysqlVersionOf(kfpVersion: string, manifests = SHARED_MANIFESTS): string {
  const image = mysqlImageOf(kfpVersion, manifests);
  const version = versionFromTag(classifyImage(image)?.tag);
  if (version === undefined) throw new Error(`${kfpVersion}: cannot tell the MySQL version of ${image}`);
  return version;
}

export function mysqlSeriesOf(kfpVersion: string): MysqlSeries {
  const series = seriesOf(mysqlVersionOf(kfpVersion));
  if (series === undefined)
    throw new Error(`${kfpVersion}: MySQL ${mysqlVersionOf(kfpVersion)} is no known series`);
  return series;
}

/** The MySQL version recorded in the directory (`mysql_upgrade_info`), undefined when there is none. */
export async function recordedMysqlVersion(dir: string): Promise<string | undefined> {
  const state = await readMysqlDir(dir);
  return state?.kind === "recorded" ? state.text.trim() : undefined;
}

/** What a server of `image` would do on the directory now, with no other server on it. */
export async function mysqlWouldStart(dir: string, image: string): Promise<StartDecision> {
  const classified = classifyImage(image);
  if (classified?.kind !== "mysql") throw new Error(`${image} is not a MySQL image`);
  const state = await readMysqlDir(dir);
  if (state === undefined) throw new Error(`${dir} does not exist`);
  return mysqlStartDecision(classified, state, undefined);
}

/** The `mysql` Deployment's image in `namespace` (what would run on the data next). */
export async function mysqlImageIn(namespace: string): Promise<string> {
  const deployment = await kubectlJson<{ spec: { template: { spec: { containers: { image: string }[] } } } }>(
    ["get", "deployment", "mysql", "-n", namespace],
  );
  const container = deployment.spec.template.spec.containers.find(
    (c) => classifyImage(c.image)?.kind === "mysql",
  );
  if (!container) throw new Error(`deployment/mysql in ${namespace} runs no MySQL image`);
  return container.image;
}

/**
 * Asserts that MySQL would start on the install's data: the `mysql` Deployment's image (or `image`) on the data
 * directory as it is now, by the simulation's rules; the failure names MySQL's message.
 */
export async function expectMysqlCanStart(kfp: {
  namespace: string;
  dir: string;
  image?: string;
}): Promise<void> {
  const image = kfp.image ?? (await mysqlImageIn(kfp.namespace));
  const decision = await mysqlWouldStart(kfp.dir, image);
  expect(decision.start ? "starts" : decision.message, `${image} on ${kfp.dir}`).toBe("starts");
}

/** The shared cluster's simulation events, optionally for one data directory. */
export async function simulationEvents(dir?: string): Promise<SimulationEvent[]> {
  const events = await readSimulationEvents(e2eCluster().stateDir);
  return dir === undefined ? events : events.filter((e) => e.dir === dir);
}

/** Attempts to start a MySQL server on `dir` while another one ran there (refused on the InnoDB lock). */
export async function secondServerAttempts(dir: string): Promise<SimulationEvent[]> {
  return lockConflicts(await simulationEvents(dir));
}

/** Two MySQL servers that ran on `dir` at the same time (the invariant: none). */
export async function serverOverlapsOn(dir: string): Promise<ReturnType<typeof serverOverlaps>> {
  return serverOverlaps(await simulationEvents(dir));
}
