import { describe, expect, it } from "vitest";
import { appendHistory } from "../../../../src/app/history.js";
import { main } from "../../../../src/cli/main.js";
import { appDir } from "../../../support/app-dir.js";
import { schemaProblems } from "../../../support/published-schemas.js";
import { SHARED_MANIFESTS } from "../../../support/run-cli.js";
import { fakeStreams } from "../fake-streams.js";

/** Runs the CLI in-process with `-o json` and returns its stdout parsed, and its exit code. */
async function jsonOf(args: string[]): Promise<{ exitCode: number; document: unknown; stderr: string }> {
  const streams = fakeStreams({ env: { KUBECONFIG: "/nonexistent/kubeconfig" } });
  const exitCode = await main([...args, "-o", "json"], streams);
  return { exitCode, document: JSON.parse(streams.stdout.text()), stderr: streams.stderr.text() };
}

// The commands that need no cluster; status, backups, plans and events are validated against the local control
// plane in test/e2e/github-action.e2e.test.ts.
describe("real -o json outputs validate against the published schemas", () => {
  it("versions: the catalogue, an upgrade path, the bundles of a directory", async () => {
    for (const args of [
      ["versions"],
      ["versions", "--path", "1.8.5", "2.14.4"],
      ["versions", "--manifests", SHARED_MANIFESTS],
    ]) {
      const { exitCode, document, stderr } = await jsonOf(args);
      expect(exitCode, stderr).toBe(0);
      expect(schemaProblems("versions", document), args.join(" ")).toEqual([]);
    }
  }, 60_000);

  it("history, params list/get/set, completion", async () => {
    const dir = appDir();
    expect(schemaProblems("history", (await jsonOf(["history", "--app-dir", dir])).document)).toEqual([]);
    await appendHistory(dir, {
      command: "upgrade",
      user: "ci",
      startedAt: "2026-12-03T10:00:00.000Z",
      finishedAt: "2026-12-03T10:05:00.000Z",
      from: "2.5.0",
      to: "2.14.4",
      planHash: "sha256:abc",
      outcome: "succeeded",
      inventory: { experiments: 1, pipelines: 2, pipelineVersions: 2, runs: 3, recurringRuns: 0 },
    });
    const history = await jsonOf(["history", "--app-dir", dir]);
    expect(history.document).toMatchObject([{ id: 1, to: "2.14.4" }]);
    expect(schemaProblems("history", history.document)).toEqual([]);
    for (const args of [
      ["params", "set", "mysqlPvName", "kfp-mysql"],
      ["params", "get", "mysqlPvName"],
      ["params", "list"],
    ]) {
      const { exitCode, document, stderr } = await jsonOf([...args, "--app-dir", dir]);
      expect(exitCode, stderr).toBe(0);
      expect(schemaProblems("params", document), args.join(" ")).toEqual([]);
    }
    expect(schemaProblems("completion", (await jsonOf(["completion", "bash"])).document)).toEqual([]);
  });

  it("an error is a document on stdout too, with the code and exit code stderr shows", async () => {
    const { exitCode, document, stderr } = await jsonOf(["status", "--app-dir", appDir()]);
    expect(exitCode).toBe(3);
    expect(document).toMatchObject({ type: "error", code: "NO_KUBECONFIG", exitCode: 3 });
    expect(stderr).toContain("code: NO_KUBECONFIG (exit 3)");
    expect(schemaProblems("error", document)).toEqual([]);
    expect(schemaProblems("event", document)).toEqual([]);
  });
});
