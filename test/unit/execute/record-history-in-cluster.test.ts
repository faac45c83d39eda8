import { describe, expect, it } from "vitest";
import { HISTORY_CONFIGMAP, recordHistoryInCluster } from "../../../src/execute/record-history-in-cluster.js";
import type { ObjectRef } from "../../../src/model/kube-object.js";
import { FakeKubeClient } from "../../support/fake-kube-client.js";
import { NS } from "./executor-fixtures.js";

const NAMESPACE = {
  apiVersion: "v1",
  kind: "Namespace",
  metadata: { name: NS },
  status: { phase: "Active" },
};

const ref: ObjectRef = { apiVersion: "v1", kind: "ConfigMap", name: HISTORY_CONFIGMAP, namespace: NS };
const linesOf = (fake: FakeKubeClient): unknown[] =>
  ((fake.peek(ref)?.data ?? {}) as { "history.jsonl": string })["history.jsonl"]
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line));

describe("recordHistoryInCluster", () => {
  it("creates the ConfigMap with the first entry, labelled as kfp-upgrade's", async () => {
    const fake = new FakeKubeClient().seed([NAMESPACE]);
    await recordHistoryInCluster(fake, NS, { id: 1, outcome: "succeeded" });
    expect(fake.peek(ref)?.metadata.labels).toEqual({ "app.kubernetes.io/managed-by": "kfp-upgrade" });
    expect(linesOf(fake)).toEqual([{ id: 1, outcome: "succeeded" }]);
  });

  it("appends to what is there", async () => {
    const fake = new FakeKubeClient().seed([NAMESPACE]);
    await recordHistoryInCluster(fake, NS, { id: 1 });
    await recordHistoryInCluster(fake, NS, { id: 2 });
    expect(linesOf(fake)).toEqual([{ id: 1 }, { id: 2 }]);
  });

  it("keeps the newest 200 entries", async () => {
    const fake = new FakeKubeClient().seed([NAMESPACE]);
    for (let id = 1; id <= 203; id += 1) await recordHistoryInCluster(fake, NS, { id });
    const lines = linesOf(fake);
    expect(lines).toHaveLength(200);
    expect(lines[0]).toEqual({ id: 4 });
    expect(lines.at(-1)).toEqual({ id: 203 });
  });

  it("re-reads and appends again when another writer changed the ConfigMap in between (409)", async () => {
    const fake = new FakeKubeClient().seed([NAMESPACE]);
    await recordHistoryInCluster(fake, NS, { id: 1 });
    let raced = false;
    // Another run appends its entry between our read and our write, once: our replace then carries a stale
    // resourceVersion, which the (honest) fake refuses with 409 as the API server does.
    const racing = new Proxy(fake, {
      get(target, property, receiver) {
        if (property !== "get") return Reflect.get(target, property, receiver);
        return async (wanted: ObjectRef) => {
          const read = await target.get(wanted);
          if (!raced && read) {
            raced = true;
            fake.update(ref, (cm) => {
              const data = cm.data as { "history.jsonl": string };
              data["history.jsonl"] += `${JSON.stringify({ id: "other" })}\n`;
            });
          }
          return read;
        };
      },
    });
    await recordHistoryInCluster(racing, NS, { id: 2 });
    expect(raced).toBe(true);
    expect(fake.callsOf("replace")).toHaveLength(2);
    expect(linesOf(fake)).toEqual([{ id: 1 }, { id: "other" }, { id: 2 }]);
  });
});
