import { describe, expect, it } from "vitest";
import { parseEnvSh } from "../../../src/app/parse-env-sh.js";

describe("parseEnvSh", () => {
  it("reads KEY=value lines as kfctl.sh wrote them, dropping what needs a shell", () => {
    const source = [
      "PLATFORM=gcp",
      'PROJECT="my-project"',
      "export ZONE='us-east1-d'",
      "EMPTY=",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell variable that only a shell could expand
      "KUBEFLOW_HOSTNAME=${DEPLOYMENT_NAME}.endpoints",
      "NUMBER=$(gcloud projects describe x)",
      "# COMMENTED=1",
      "CLUSTER_VERSION=1.12 # picked by kfctl",
      "not an assignment",
    ].join("\n");
    expect(parseEnvSh(source)).toEqual({
      PLATFORM: "gcp",
      PROJECT: "my-project",
      ZONE: "us-east1-d",
      EMPTY: "",
      CLUSTER_VERSION: "1.12",
    });
  });
});
