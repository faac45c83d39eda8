import { describe, expect, it } from "vitest";
import {
  clusterStages,
  DATA_STORE_CONTAINERS_KEY,
  type KwokStage,
} from "../../../local-cluster/kwok-stages.js";

const upstreamPodReady: KwokStage = {
  apiVersion: "kwok.x-k8s.io/v1alpha1",
  kind: "Stage",
  metadata: { name: "pod-ready" },
  spec: {
    resourceRef: { apiGroup: "v1", kind: "Pod" },
    selector: { matchExpressions: [{ key: ".metadata.deletionTimestamp", operator: "DoesNotExist" }] },
  },
};

describe("clusterStages", () => {
  it("leaves data-store pods (MySQL, KFP API server) out of kwok's pod-ready stage", () => {
    const podReady = clusterStages([upstreamPodReady]).find((s) => s.metadata.name === "pod-ready");
    expect(podReady?.spec.selector?.matchExpressions).toEqual([
      { key: ".metadata.deletionTimestamp", operator: "DoesNotExist" },
      { key: '.metadata.labels["e2e/never-ready"]', operator: "DoesNotExist" },
      { key: DATA_STORE_CONTAINERS_KEY, operator: "DoesNotExist" },
    ]);
  });
  it("selects images with a jq query over the containers", () => {
    expect(DATA_STORE_CONTAINERS_KEY).toBe(
      '.spec.containers[] | .image | select(test("(^|/)mysql(:[^/@]*)?(@.*)?$") or test("(^|/)(kfp-)?api-server(:[^/@]*)?(@.*)?$"))',
    );
  });
});
