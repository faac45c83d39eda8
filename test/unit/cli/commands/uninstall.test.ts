import { describe, expect, it } from "vitest";
import { main } from "../../../../src/cli/main.js";
import { appDir } from "../../../support/app-dir.js";
import { fakeStreams } from "../fake-streams.js";

const APP = { "kfp-app.yaml": "apiVersion: kfp-upgrade/v1\nkind: KfpApp\nnamespace: kfp-prod\n" };

/** Runs `uninstall …` with no cluster reachable: what is refused here is refused before any connection. */
async function uninstall(...args: string[]) {
  const streams = fakeStreams({ env: { KUBECONFIG: "/nonexistent/kubeconfig" } });
  const exitCode = await main(["uninstall", "--app-dir", appDir(APP), ...args], streams);
  return { exitCode, stderr: streams.stderr.text() };
}

describe("uninstall --delete-data", () => {
  it("--confirm-namespace alone is a usage error with an example", async () => {
    const run = await uninstall("--confirm-namespace", "kfp-prod");
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain(
      "error: --confirm-namespace: goes with --delete-data, e.g. uninstall --delete-data --confirm-namespace kubeflow",
    );
  });

  it("a --confirm-namespace that is not the app's namespace deletes nothing and names the right one", async () => {
    const run = await uninstall("--delete-data", "--confirm-namespace", "kubeflow", "--yes");
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain(
      'error: --confirm-namespace kubeflow is not the namespace KFP is uninstalled from ("kfp-prod"): no data is deleted',
    );
    expect(run.stderr).toContain("hint: Pass --confirm-namespace kfp-prod");
    expect(run.stderr).toContain("code: DELETE_DATA_NOT_CONFIRMED (exit 2)");
  });

  it("--help shows both flags", async () => {
    const streams = fakeStreams();
    await main(["uninstall", "--help"], streams);
    expect(streams.stdout.text()).toContain("--delete-data");
    expect(streams.stdout.text()).toContain("--confirm-namespace <name>");
    expect(streams.stdout.text()).toContain(
      "kfp-upgrade uninstall --delete-data --confirm-namespace kubeflow --yes",
    );
  });
});
