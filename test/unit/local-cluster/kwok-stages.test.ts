import { describe, expect, it } from "vitest";
import {
  clusterStages,
  DATA_STORE_CONTAINERS_KEY,
  type KwokStage,
  UNPULLABLE_IMAGE_MARKER,
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

const UNPULLABLE_CONTAINERS = '.spec.containers[] | .image | select(contains("does-not-exist"))';

describe("clusterStages", () => {
  it("leaves data-store pods (MySQL, KFP API server) out of kwok's pod-ready stage", () => {
    const podReady = clusterStages([upstreamPodReady]).find((s) => s.metadata.name === "pod-ready");
    expect(podReady?.spec.selector?.matchExpressions).toEqual([
      { key: ".metadata.deletionTimestamp", operator: "DoesNotExist" },
      { key: '.metadata.labels["e2e/never-ready"]', operator: "DoesNotExist" },
      { key: DATA_STORE_CONTAINERS_KEY, operator: "DoesNotExist" },
      { key: UNPULLABLE_CONTAINERS, operator: "DoesNotExist" },
    ]);
  });
  it("leaves pods with an unpullable image to the ImagePullBackOff stage, which sets the reason once", () => {
    const stage = clusterStages([upstreamPodReady]).find((s) => s.metadata.name === "pod-image-pull-backoff");
    expect(UNPULLABLE_IMAGE_MARKER).toBe("does-not-exist");
    expect(stage?.spec.selector?.matchExpressions).toEqual([
      { key: UNPULLABLE_CONTAINERS, operator: "Exists" },
      { key: ".metadata.deletionTimestamp", operator: "DoesNotExist" },
      { key: ".status.phase", operator: "In", values: ["Pending"] },
      {
        key: '.status.containerStatuses[]? | select(.state.waiting.reason == "ImagePullBackOff") | .name',
        operator: "DoesNotExist",
      },
    ]);
    const template = String(stage?.spec.next?.statusTemplate);
    expect(template).toContain("reason: ImagePullBackOff");
    expect(template).toContain('message: {{ printf "Back-off pulling image %q" .image | Quote }}');
    expect(template).toContain("phase: Pending");
  });
  it("selects images with a jq query over the containers", () => {
    expect(DATA_STORE_CONTAINERS_KEY).toBe(
      '.spec.containers[] | .image | select(test("(^|/)mysql(:[^/@]*)?(@.*)?$") or test("(^|/)(kfp-)?api-server(:[^/@]*)?(@.*)?$"))',
    );
  });
});
