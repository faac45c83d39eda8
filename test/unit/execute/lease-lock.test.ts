import { describe, expect, it } from "vitest";
import { KubeApiError } from "../../../src/errors.js";
import { acquireLock, JOURNAL_ANNOTATION, LOCK_NAME } from "../../../src/execute/lease-lock.js";
import type { WriteOptions } from "../../../src/kube/kube-client.js";
import type { KubeObject, ObjectRef } from "../../../src/model/kube-object.js";
import { FakeKubeClient } from "../../support/fake-kube-client.js";

const LEASE: ObjectRef = {
  apiVersion: "coordination.k8s.io/v1",
  kind: "Lease",
  name: LOCK_NAME,
  namespace: "kubeflow",
};

/** The fake, with the next `failures` replaces answered 409 (e.g. someone else touched the Lease meanwhile). */
class ConflictingReplaces extends FakeKubeClient {
  failures = 0;

  override async replace(object: KubeObject, options?: WriteOptions): Promise<KubeObject> {
    if (this.failures > 0) {
      this.failures -= 1;
      throw new KubeApiError(
        `replace lease/${LOCK_NAME} -n kubeflow: API server says: the object has been modified (reason: Conflict, 409)`,
        {
          statusCode: 409,
          reason: "Conflict",
        },
      );
    }
    return super.replace(object, options);
  }
}

function cluster(): ConflictingReplaces {
  const client = new ConflictingReplaces();
  client.seed([{ apiVersion: "v1", kind: "Namespace", metadata: { name: "kubeflow" } }]);
  return client;
}

describe("acquireLock", () => {
  it("takes a free lock, mirrors the journal on the Lease and deletes it on release", async () => {
    const client = cluster();
    const lock = await acquireLock(client, "kubeflow", {
      runId: "run-1",
      wait: false,
      signal: new AbortController().signal,
    });
    expect(lock.holder).toMatch(/ run run-1$/);
    await lock.annotate({ completedStepIds: ["01-applyObjects"] });
    expect(client.peek(LEASE)?.metadata.annotations?.[JOURNAL_ANNOTATION]).toBe(
      '{"completedStepIds":["01-applyObjects"]}',
    );
    await lock.release();
    expect(client.peek(LEASE)).toBeNull();
  });

  it("refuses a lock another live run holds, naming it", async () => {
    const client = cluster();
    const signal = new AbortController().signal;
    const first = await acquireLock(client, "kubeflow", { runId: "run-1", wait: false, signal });
    await expect(
      acquireLock(client, "kubeflow", { runId: "run-2", wait: false, signal }),
    ).rejects.toMatchObject({
      code: "LOCK_HELD",
      exitCode: 7,
      message: `another kfp-upgrade run holds the lock on namespace "kubeflow": ${first.holder}`,
    });
    await first.release();
  });

  it("a failed Lease update does not fail every update after it", async () => {
    const client = cluster();
    const lock = await acquireLock(client, "kubeflow", {
      runId: "run-1",
      wait: false,
      signal: new AbortController().signal,
    });
    client.failures = 1;
    await expect(lock.annotate({ step: 1 })).rejects.toMatchObject({ statusCode: 409 });
    await lock.annotate({ step: 2 });
    expect(client.peek(LEASE)?.metadata.annotations?.[JOURNAL_ANNOTATION]).toBe('{"step":2}');
    await lock.release();
    expect(client.peek(LEASE)).toBeNull();
  });
});
