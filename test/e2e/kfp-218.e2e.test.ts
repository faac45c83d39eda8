import { spawn } from "node:child_process";
import { describe, expect, it, onTestFinished } from "vitest";
import { derivedManifests } from "../support/derived-manifests.js";
import { e2eCluster, eventually, kubectl, kubectlJson } from "../support/e2e-cluster.js";
import { expectDataIntactAndBound, installKfp } from "../support/installed-kfp.js";
import { kfp218Bundle, SIGNING_KEY_JOB, SIGNING_KEY_SECRET } from "../support/kfp-218-bundle.js";
import { runCli } from "../support/run-cli.js";
import { whenEvent } from "../support/when-event.js";

// 2.17.0 (the real shared bundle) to a 2.18-SHAPED bundle DERIVED from it by the changes KFP's upgrade guide lists
// (test/support/kfp-218-bundle.ts says which). The local control plane runs no KFP program: the API server's
// recurring-run adoption, its log and the initializer Job filling the Secret are not there, so the test fills the
// Secret itself, as the Job would.

const WRITERS = ["ml-pipeline", "ml-pipeline-scheduledworkflow"];

/**
 * Watches the pods of the API server and the ScheduledWorkflow controller and keeps, per Deployment, the most
 * distinct images its existing pods (terminating ones included) had at one moment.
 */
function watchWriterPods(namespace: string): {
  stop(): Promise<Record<string, number>>;
  images: Set<string>;
} {
  const cluster = e2eCluster();
  const child = spawn(
    process.env.KUBECTL ?? cluster.kubectlPath,
    [
      `--kubeconfig=${cluster.kubeconfigPath}`,
      "get",
      "pods",
      "-n",
      namespace,
      "-l",
      `app in (${WRITERS.join(",")})`,
      "-w",
      "--output-watch-events",
      "-o",
      'jsonpath={.type} {.object.metadata.labels.app} {.object.metadata.name} {.object.spec.containers[0].image}{"\\n"}',
    ],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  const pods = new Map<string, Map<string, string>>(WRITERS.map((w) => [w, new Map()]));
  const most: Record<string, number> = Object.fromEntries(WRITERS.map((w) => [w, 0]));
  const images = new Set<string>();
  let buffered = "";
  child.stdout.on("data", (chunk: Buffer) => {
    buffered += chunk.toString();
    const lines = buffered.split("\n");
    buffered = lines.pop() ?? "";
    for (const line of lines) {
      const [type, app, name, image] = line.trim().split(" ");
      const existing = app ? pods.get(app) : undefined;
      if (!type || !name || !image || !existing || !app) continue;
      images.add(image);
      if (type === "DELETED") existing.delete(name);
      else existing.set(name, image);
      most[app] = Math.max(most[app] ?? 0, new Set(existing.values()).size);
    }
  });
  const stop = async () => {
    child.kill("SIGTERM");
    await new Promise((resolve) => child.once("exit", resolve));
    return most;
  };
  onTestFinished(async () => {
    if (child.exitCode === null) await stop();
  });
  return { stop, images };
}

function workflow(name: string, phase: string): string {
  return JSON.stringify({
    apiVersion: "argoproj.io/v1alpha1",
    kind: "Workflow",
    metadata: { name },
    spec: { entrypoint: "main", templates: [{ name: "main", container: { image: "busybox" } }] },
    status: { phase },
  });
}

async function setPhase(namespace: string, name: string, phase: string): Promise<void> {
  await kubectl([
    "patch",
    "workflow",
    name,
    "-n",
    namespace,
    "--type",
    "merge",
    "-p",
    JSON.stringify({ status: { phase } }),
  ]);
}

describe("2.17.0 -> 2.18 (a 2.18-shaped bundle derived from 2.17.0)", () => {
  it("running Workflows refuse the hop until they finish; never two API server versions at once; the signing key survives", async () => {
    const kfp = await installKfp({
      prefix: "kfp218",
      versions: ["2.17.0"],
      manifests: derivedManifests({ "2.17.0": "shared", "2.18.1": kfp218Bundle("2.18.1") }),
    });
    const { namespace } = kfp;
    await kubectl(["apply", "-n", namespace, "-f", "-"], { input: workflow("train-running", "Running") });
    await kubectl(["apply", "-n", namespace, "-f", "-"], { input: workflow("train-done", "Succeeded") });

    // Refused while a Workflow runs, naming it; nothing starts.
    const refused = await runCli(["upgrade", "--tag", "2.18.1"], { appDir: kfp.appDir });
    expect(refused.exitCode, refused.stderr).toBe(4);
    expect(refused.stderr).toContain(
      `1 Argo Workflow of namespace ${namespace} is not finished: train-running (Running); KFP 2.18.1's API server must not start while workflows from before the upgrade still run`,
    );
    expect(refused.stderr).not.toContain("train-done");
    expect(refused.events.filter((e) => e.type === "step-start")).toEqual([]);

    // --wait-for-workflows waits through its step; the Workflow finishes while it waits.
    const watch = watchWriterPods(namespace);
    await eventually("the pod watch has seen the running API server", async () =>
      [...watch.images].some((image) => image.endsWith("kfp-api-server:2.17.0")) ? true : undefined,
    );
    const finish = whenEvent(
      (event) => event.type === "step-start" && event.kind === "waitWorkflowsDone",
      () => setPhase(namespace, "train-running", "Succeeded"),
    );
    const upgraded = await runCli(
      ["--timeout", "120", "upgrade", "--tag", "2.18.1", "--wait-for-workflows"],
      {
        appDir: kfp.appDir,
        onSpawn: finish.onSpawn,
        timeoutMs: 600_000,
      },
    );
    expect(upgraded.exitCode, upgraded.stderr).toBe(0);
    await finish.done();
    const kinds = upgraded.events.filter((e) => e.type === "step-start").map((e) => String(e.kind));
    expect(kinds.indexOf("waitWorkflowsDone")).toBeLessThan(kinds.indexOf("scaleDeployments"));
    expect(kinds).toContain("pointOfNoReturn");
    expect(
      upgraded.events.some(
        (e) => e.type === "step-progress" && String(e.message).includes("train-running (Running)"),
      ),
    ).toBe(true);
    const most = await watch.stop();
    expect(most).toEqual({ "ml-pipeline": 1, "ml-pipeline-scheduledworkflow": 1 });
    expect(watch.images).toContain("ghcr.io/kubeflow/kfp-api-server:2.18.1");

    // The Secret came without data; the test fills it as the initializer Job would.
    const secret = await kubectlJson<{ metadata: { uid: string }; data?: Record<string, string> }>([
      "get",
      "secret",
      SIGNING_KEY_SECRET,
      "-n",
      namespace,
    ]);
    expect(secret.data).toBeUndefined();
    await kubectlJson(["get", "job", SIGNING_KEY_JOB, "-n", namespace]);
    const key = Buffer.from("a-signing-key-of-at-least-32-bytes!!").toString("base64");
    await kubectl([
      "patch",
      "secret",
      SIGNING_KEY_SECRET,
      "-n",
      namespace,
      "--type",
      "merge",
      "-p",
      JSON.stringify({ data: { "signing-secret": key } }),
    ]);

    const again = await runCli(["upgrade", "--tag", "2.18.1"], { appDir: kfp.appDir });
    expect(again.exitCode, again.stderr).toBe(0);
    const kept = await kubectlJson<{ metadata: { uid: string }; data?: Record<string, string> }>([
      "get",
      "secret",
      SIGNING_KEY_SECRET,
      "-n",
      namespace,
    ]);
    expect(kept.metadata.uid).toBe(secret.metadata.uid);
    expect(kept.data).toEqual({ "signing-secret": key });

    // The adoption is a point of no return: back to 2.17.0 is refused, naming KFP's guide.
    const back = await runCli(["rollback", "--to", "1"], { appDir: kfp.appDir });
    expect(back.exitCode, back.stderr).toBe(4);
    expect(back.stderr).toContain(
      "KFP's upgrade guide forbids going back to an API server from before 2.18.0",
    );
    await expectDataIntactAndBound(kfp, "seaweedfs-pvc");
  });
});
