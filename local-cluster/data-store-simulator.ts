// Entry of the data-store simulator process that every local cluster runs next to kwok (started by local-cluster.ts
// as `node --import tsx local-cluster/data-store-simulator.ts <stateDir>`, recorded and stopped like the others).
// It reads the cluster's state.json for the API server address and uses the admin certificate. Beside the
// simulation it runs the real-servers harness (real-kfp-servers.ts) for the volumes that opted in.
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { runSimulator } from "./data-store-simulation.js";
import { pkiPaths } from "./generate-pki.js";
import { createKubeRest } from "./kube-rest.js";
import { RealKfpServers } from "./real-kfp-servers.js";

async function main(stateDir: string | undefined): Promise<void> {
  if (stateDir === undefined) throw new Error("usage: data-store-simulator.ts <cluster state dir>");
  const state = JSON.parse(await readFile(join(stateDir, "state.json"), "utf8")) as {
    apiServerUrl: string;
    binaries?: Record<string, string>;
  };
  const pki = pkiPaths(join(stateDir, "pki"));
  const rest = await createKubeRest(state.apiServerUrl, pki);
  const controller = new AbortController();
  for (const signal of ["SIGTERM", "SIGINT"] as const) process.once(signal, () => controller.abort());
  const log = (line: string) => process.stdout.write(`${new Date().toISOString()} ${line}\n`);
  const built = state.binaries?.["kfp-api-server"];
  const real = new RealKfpServers({
    rest,
    stateDir,
    apiServerUrl: state.apiServerUrl,
    caCertPath: pki.caCert,
    kfpApiServerDir: built !== undefined && existsSync(join(built, "build-info.json")) ? built : undefined,
    log,
  });
  const followReal = async () => {
    while (!controller.signal.aborted) {
      await real.tick().catch((error: unknown) => log(`real servers: tick failed: ${String(error)}`));
      await sleep(500, undefined, { signal: controller.signal }).catch(() => undefined);
    }
    await real.stopAll();
  };
  await Promise.all([runSimulator({ rest, stateDir, signal: controller.signal, log }), followReal()]);
  log("stopped");
}

main(process.argv[2]).catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
