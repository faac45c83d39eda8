import { describe, expect, it } from "vitest";
import { mirrorImage, podImages, withImageRegistry } from "../../../src/release/pod-images.js";
import { sharedRelease } from "../../support/manifests.js";

describe("mirrorImage", () => {
  it.each([
    ["ghcr.io/kubeflow/kfp-api-server:2.14.4", "mirror.local:5000/kubeflow/kfp-api-server:2.14.4"],
    ["gcr.io/ml-pipeline/mysql:8.0.26", "mirror.local:5000/ml-pipeline/mysql:8.0.26"],
    ["mysql:8.4", "mirror.local:5000/library/mysql:8.4"],
    ["docker.io/alpine:3.23", "mirror.local:5000/library/alpine:3.23"],
    ["chrislusf/seaweedfs:4.00", "mirror.local:5000/chrislusf/seaweedfs:4.00"],
    [
      "minio/minio:RELEASE.2019-08-14T20-37-41Z",
      "mirror.local:5000/minio/minio:RELEASE.2019-08-14T20-37-41Z",
    ],
    ["localhost:5000/a/b@sha256:abc", "mirror.local:5000/a/b@sha256:abc"],
    [
      "quay.io/argoproj/workflow-controller:v3.6.7@sha256:0f",
      "mirror.local:5000/argoproj/workflow-controller:v3.6.7@sha256:0f",
    ],
  ])("%s -> %s", (image, mirrored) => {
    expect(mirrorImage(image, "mirror.local:5000")).toBe(mirrored);
  });
});

describe("podImages and withImageRegistry", () => {
  it("lists every pod image of 2.17.0 once, init containers included", async () => {
    const images = podImages((await sharedRelease("2.17.0")).objects);
    expect(images).toContain("docker.io/alpine:3.23");
    expect(images).toContain("ghcr.io/kubeflow/kfp-api-server:2.17.0");
    expect(images).toEqual([...new Set(images)]);
  });

  it("points every pod image and the images strategy's repositories at the mirror", async () => {
    const release = await sharedRelease("2.14.4");
    const mirrored = withImageRegistry(release, "mirror.local:5000");
    expect(podImages(mirrored.objects)).toEqual(
      podImages(release.objects).map((image) => mirrorImage(image, "mirror.local:5000")),
    );
    expect(podImages(mirrored.objects).every((image) => image.startsWith("mirror.local:5000/"))).toBe(true);
    expect(mirrored.registry).toBe("mirror.local:5000/kubeflow");
    expect(mirrored.components.find((c) => c.deployment === "ml-pipeline")?.image).toBe(
      "mirror.local:5000/kubeflow/kfp-api-server",
    );
    // The release it came from is untouched.
    expect(podImages(release.objects)).toContain("mysql:8.4");
  });
});
