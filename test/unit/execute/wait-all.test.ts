import { describe, expect, it } from "vitest";
import { deploymentReadiness } from "../../../src/execute/readiness/apps-v1-deployment.js";
import { goneReadiness } from "../../../src/execute/readiness/gone.js";
import { waitAll } from "../../../src/execute/wait-all.js";
import type { ObjectRef } from "../../../src/model/kube-object.js";
import { FakeKubeClient } from "../../support/fake-kube-client.js";
import { configMap, deployment, NS, recordingContext, rollOut } from "./executor-fixtures.js";

const ref = (name: string): ObjectRef => ({ apiVersion: "apps/v1", kind: "Deployment", name, namespace: NS });

describe("waitAll", () => {
  it("resolves once every object is ready, counting them in its progress", async () => {
    const fake = new FakeKubeClient().seed([deployment("a", "x:1"), deployment("b", "x:1")]);
    const ctx = recordingContext(fake);
    const waiting = waitAll(ctx, [ref("a"), ref("b")], deploymentReadiness, "available");
    fake.react(rollOut());
    await fake.apply(deployment("a", "x:2"), { force: true });
    await fake.apply(deployment("b", "x:2"), { force: true });
    await expect(waiting).resolves.toBeUndefined();
    expect(ctx.progressed.at(-1)).toBe("2/2 available");
    expect(ctx.progressed.some((line) => line.startsWith("0/2 available; deployment/a -n kubeflow: "))).toBe(
      true,
    );
  });

  it("names every object that timed out, with its last message, as WAIT_TIMEOUT", async () => {
    const fake = new FakeKubeClient().seed([deployment("a", "x:1"), deployment("b", "x:1")]);
    const waiting = waitAll(
      recordingContext(fake, { timeoutSeconds: 0.2 }),
      [ref("a"), ref("b")],
      deploymentReadiness,
      "available",
    );
    fake.react(rollOut());
    await fake.apply(deployment("a", "x:2"), { force: true });
    const error = await waiting.catch((caught: unknown) => caught);
    expect(error).toMatchObject({
      code: "WAIT_TIMEOUT",
      exitCode: 5,
      message: expect.stringMatching(
        /^1 of 2 objects did not become available: deployment\/b -n kubeflow: timed out after 0\.2s \(/,
      ),
    });
  });

  it("waits for objects to be gone with the gone rule", async () => {
    const cm = { apiVersion: "v1", kind: "ConfigMap", name: "c", namespace: NS };
    const fake = new FakeKubeClient().seed([configMap("c")]);
    const waiting = waitAll(recordingContext(fake), [cm], goneReadiness, "deleted");
    await fake.delete(cm, { propagationPolicy: "Background" });
    await expect(waiting).resolves.toBeUndefined();
  });

  it("resolves at once for an empty list", async () => {
    await expect(
      waitAll(recordingContext(new FakeKubeClient()), [], goneReadiness, "deleted"),
    ).resolves.toBeUndefined();
  });
});
