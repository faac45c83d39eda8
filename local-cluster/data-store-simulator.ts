// Entry of the data-store simulator process that every local cluster runs next to kwok (started by local-cluster.ts
// as `node --import tsx local-cluster/data-store-simulator.ts <stateDir>`, recorded and stopped like the others).
// It reads the cluster's state.json for the API server address and uses the admin certificate.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { runSimulator } from "./data-store-simulation.js";
import { pkiPaths } from "./generate-pki.js";
import { createKubeRest } from "./kube-rest.js";

async function main(stateDir: string | undefined): Promise<void> {
  if (stateDir === undefined) throw new Error("usage: data-store-simulator.ts <cluster state dir>");
  const state = JSON.parse(await readFile(join(stateDir, "state.json"), "utf8")) as { apiServerUrl: string };
  const rest = await createKubeRest(state.apiServerUrl, pkiPaths(join(stateDir, "pki")));
  const controller = new AbortController();
  for (const signal of ["SIGTERM", "SIGINT"] as const) process.once(signal, () => controller.abort());
  const log = (line: string) => process.stdout.write(`${new Date().toISOString()} ${line}\n`);
  await runSimulator({ rest, stateDir, signal: controller.signal, log });
  log("stopped");
}

main(process.argv[2]).catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
