import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { describe, expect, it, onTestFinished } from "vitest";
import { UNPULLABLE_IMAGE_MARKER } from "../../local-cluster/kwok-stages.js";
import { type BundleObject, derivedManifests } from "../support/derived-manifests.js";
import { e2eCluster, kubectlJson } from "../support/e2e-cluster.js";
import { installKfp } from "../support/installed-kfp.js";
import { runCli } from "../support/run-cli.js";

// The live view as a person sees it: the BUILT CLI runs in a real terminal (tmux, from Debian) during an upgrade on
// the local control plane in which one Deployment's new pods never become ready (their image cannot be pulled:
// kwok's pod-image-pull-backoff stage shows them as the kubelet would). The pane is captured while the rollout is
// waited for and at the end. The same rollout off a terminal (CI=true) is asserted separately: timestamped lines, no
// escape sequences; and once more as `-o json` events.

const BIN = fileURLToPath(new URL("../../bin/kfp-upgrade.js", import.meta.url));
const BROKEN = "ml-pipeline-ui";
const BROKEN_IMAGE = `ghcr.io/kubeflow/${UNPULLABLE_IMAGE_MARKER}/kfp-frontend:2.5.0`;
const TIMEOUT = "15s";

/** 2.5.0 whose UI image cannot be pulled (the hop from 2.3.0 migrates the schema: a failure then fails forward). */
function unpullableTarget(): string {
  return derivedManifests({
    "2.3.0": "shared",
    "2.5.0": {
      objects: (object: BundleObject) => {
        if (object.kind !== "Deployment" || object.metadata?.name !== BROKEN) return;
        const spec = object.spec as { template: { spec: { containers: { image: string }[] } } };
        for (const container of spec.template.spec.containers) container.image = BROKEN_IMAGE;
      },
    },
  });
}

function tmux(socket: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile("tmux", ["-L", socket, ...args], (error, stdout, stderr) =>
      error ? reject(new Error(`tmux ${args.join(" ")}: ${stderr || error.message}`)) : resolve(stdout),
    );
  });
}

const quote = (value: string) => `'${value.replaceAll("'", `'\\''`)}'`;

/**
 * A tmux server of its own (`-L`) with one 160x50 pane running `args` through the built CLI; the pane stays after
 * the CLI exits and shows `[exit N]`. CI is unset in the pane: the CLI sees a terminal, as a person's shell would.
 */
async function terminal(args: readonly string[]): Promise<{
  screen(): Promise<string>;
  /** The screen with what scrolled off above it (as a person scrolls back). */
  scrollback(): Promise<string>;
  until(what: string, test: (screen: string) => boolean, timeoutMs?: number): Promise<string>;
  keys(...keys: string[]): Promise<void>;
}> {
  const socket = `kfp-live-${randomBytes(4).toString("hex")}`;
  const command = [
    "env -u CI",
    `KUBECONFIG=${quote(e2eCluster().kubeconfigPath)}`,
    quote(process.execPath),
    quote(BIN),
    ...args.map(quote),
    '; echo "[exit $?]"; sleep 600',
  ].join(" ");
  await tmux(socket, ["new-session", "-d", "-x", "160", "-y", "50", "-s", "live", command]);
  onTestFinished(async () => {
    await tmux(socket, ["kill-server"]).catch(() => {});
  });
  // -J joins lines the terminal wrapped at 160 columns, so a line reads as the CLI wrote it.
  const screen = () => tmux(socket, ["capture-pane", "-p", "-J", "-t", "live"]);
  return {
    screen,
    scrollback: () => tmux(socket, ["capture-pane", "-p", "-J", "-t", "live", "-S", "-"]),
    async until(what, test, timeoutMs = 150_000) {
      const deadline = Date.now() + timeoutMs;
      let last = "";
      while (Date.now() < deadline) {
        last = await screen();
        if (test(last)) return last;
        await sleep(250);
      }
      throw new Error(`the screen never showed ${what}; last screen:\n${last}`);
    },
    async keys(...keys) {
      await tmux(socket, ["send-keys", "-t", "live", ...keys]);
    },
  };
}

async function uiImage(namespace: string): Promise<string | undefined> {
  const deployment = await kubectlJson<{ spec: { template: { spec: { containers: { image: string }[] } } } }>(
    ["get", "deployment", BROKEN, "-n", namespace],
  );
  return deployment.spec.template.spec.containers[0]?.image;
}

describe("live view", () => {
  it("asks once; shows on a terminal the steps, each Deployment's replicas and ImagePullBackOff while waiting, then the failure and summary; off a terminal, timestamped lines; in -o json, the same causes", async () => {
    const kfp = await installKfp({ prefix: "live", versions: ["2.3.0"], manifests: unpullableTarget() });
    const upgrade = [
      "--app-dir",
      kfp.appDir,
      "--timeout",
      TIMEOUT,
      "upgrade",
      "--tag",
      "2.5.0",
      "--no-backup",
    ];

    // Without --yes on a terminal: the plan, then one question; "n" changes nothing (exit 2).
    const asked = await terminal(upgrade);
    const question = await asked.until("the confirmation question", (s) =>
      s.includes("Apply this plan? [y/N]"),
    );
    expect(question).toMatch(/Plan: \d+ to create, \d+ to update/);
    expect(question.split("Apply this plan?")).toHaveLength(2);
    await asked.keys("n", "Enter");
    const declined = await asked.until("the exit code", (s) => s.includes("[exit "));
    expect(declined).toContain("error: the plan was not applied: it needs confirmation");
    expect(declined).toContain("[exit 2]");
    expect(declined.split("Apply this plan?")).toHaveLength(2);
    expect(await uiImage(kfp.namespace)).toBe("gcr.io/ml-pipeline/frontend:2.3.0");

    const run = await terminal(["--yes", ...upgrade]);
    // The view follows watches, so the pull failure can show before the healthy Deployments are Available: wait for
    // a screen with both (the broken one stays in back-off until the timeout).
    const waiting = await run.until(
      `${BROKEN} 0/1 with ImagePullBackOff beside ml-pipeline 1/1`,
      (s) => new RegExp(`${BROKEN} +0/1 +ImagePullBackOff`).test(s) && /^ {4}ml-pipeline +1\/1$/m.test(s),
    );
    process.stdout.write(`[live-view] the screen while waiting:\n${waiting}\n`);
    // Finished steps stay as one line each; the running wait has a spinner and its elapsed time.
    expect(waiting).toMatch(/^✔ \[1\/\d+\] /m);
    expect(waiting).toMatch(/^[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] \[\d+\/\d+\] .*wait.* \d+(\.\d)?s$/m);
    // Every Deployment of the wait has its line; the broken one names the kubelet's reason and message.
    expect(waiting).toMatch(/^ {4}ml-pipeline +1\/1$/m);
    expect(waiting).toContain(`ImagePullBackOff: Back-off pulling image "${BROKEN_IMAGE}" (pod ${BROKEN}-`);

    const end = await run.until("the exit code", (s) => s.includes("[exit "));
    // 2.5.0's API server had started (and migrated the schema) before the UI's wait failed: the run fails forward.
    expect(end).toContain("[exit 8]");
    // The rollback's lines push the failed step up: it is there when one scrolls back, with the Deployments' last
    // counts and the cause.
    const history = await run.scrollback();
    process.stdout.write(`[live-view] the screen at the end, with its scrollback:\n${history}\n`);
    expect(history).toMatch(/^✖ \[\d+\/\d+\] .*wait.* \d+(\.\d)?s$/m);
    expect(history).toMatch(new RegExp(`^ {4}${BROKEN} +0/1 +ImagePullBackOff: Back-off pulling image`, "m"));
    expect(history).toMatch(/^ {4}failed: .*deployment\/ml-pipeline-ui .*timed out after 15s/m);
    expect(end).toContain(`pods not ready: deployment/${BROKEN} 0/1 ready (pod ${BROKEN}-`);
    expect(end).toMatch(/^rollback: /m);
    expect(end).toContain(`KFP 2.3.0 → 2.5.0 in namespace ${kfp.namespace}, `);
    expect(end).toContain(`error: `);
    expect(end).toContain("code: FAILED_FORWARD (exit 8)");
    expect(await uiImage(kfp.namespace)).toBe("gcr.io/ml-pipeline/frontend:2.3.0");

    // The same rollout off a terminal with CI set (`resume` continues the run forward and waits for the UI again):
    // plain lines, each event line starting with its UTC time.
    const plain = await runCli(["--yes", "--timeout", TIMEOUT, "resume"], {
      appDir: kfp.appDir,
      machine: false,
      env: { CI: "true" },
    });
    expect(plain.exitCode, plain.stderr).toBe(8);
    expect(plain.stderr).not.toContain("\u001b");
    const lines = plain.stderr.split("\n");
    const stamp = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ /;
    expect(lines.filter((line) => /\[\d+\/\d+\]/.test(line)).every((line) => stamp.test(line))).toBe(true);
    expect(lines.some((line) => stamp.test(line) && /\[1\/\d+\] /.test(line))).toBe(true);
    expect(
      lines.some((line) =>
        new RegExp(`^\\S+Z {9}${BROKEN} 0/1: ImagePullBackOff: Back-off pulling image "`).test(line),
      ),
    ).toBe(true);
    expect(plain.stderr).toContain(`pods not ready: deployment/${BROKEN} 0/1 ready (pod ${BROKEN}-`);
    expect(await uiImage(kfp.namespace)).toBe("gcr.io/ml-pipeline/frontend:2.3.0");

    // And as `-o json` events: step-progress carries each Deployment's counts and the cause, as the screen showed.
    const json = await runCli(["--timeout", TIMEOUT, "resume"], { appDir: kfp.appDir });
    expect(json.exitCode, json.stderr).toBe(8);
    const progress = json.events.flatMap((event) =>
      event.type === "step-progress" && Array.isArray(event.deployments)
        ? (event.deployments as { name: string }[])
        : [],
    );
    expect(progress).toContainEqual({
      name: BROKEN,
      ready: 0,
      desired: 1,
      cause: {
        pod: expect.stringMatching(new RegExp(`^${BROKEN}-`)),
        container: BROKEN,
        reason: "ImagePullBackOff",
        message: `Back-off pulling image "${BROKEN_IMAGE}"`,
      },
    });
    expect(progress).toContainEqual({ name: "ml-pipeline", ready: 1, desired: 1 });
    expect(json.result).toMatchObject({
      ok: false,
      outcome: "failed-forward",
      message: expect.stringContaining(`pods not ready: deployment/${BROKEN} 0/1 ready`),
    });
  });
});
