import { describe, expect, it } from "vitest";
import { describeInstallers, installerCounts } from "../../../src/model/installer-counts.js";
import { aSnapshot, KUBECTL_CLIENT_SIDE } from "../../support/snapshot-builder.js";

describe("installerCounts", () => {
  const base = () =>
    aSnapshot("kubeflow")
      .withInstalledVersion("2.5.0")
      .withDeployment("ml-pipeline", { containers: [{ name: "api", image: "api:2.5.0" }] })
      .withDeployment("mysql", { containers: [{ name: "mysql", image: "mysql:8.0" }] })
      .withSecret("mysql-secret");
  const cases = [
    {
      name: "a kubectl install, one Deployment kfp-upgrade applied since",
      snapshot: base()
        .installedBy(KUBECTL_CLIENT_SIDE)
        .withOwnership("Deployment", "mysql", { managers: [{ manager: "kfp-upgrade", operation: "Apply" }] })
        .build(),
      counts: [
        { installer: "kubectl (client-side apply)", objects: 3 },
        { installer: "kfp-upgrade", objects: 1 },
      ],
      text: "kubectl (client-side apply): 3 objects, kfp-upgrade: 1 object",
    },
    {
      name: "ClusterRoles not tied to the install do not count",
      snapshot: base()
        .installedBy(KUBECTL_CLIENT_SIDE)
        .withClusterObject("ClusterRole", "someone-elses")
        .withClusterObject("ClusterRole", "kfp-role", { owners: ["kubeflow"] })
        .build(),
      counts: [{ installer: "kubectl (client-side apply)", objects: 5 }],
      text: "kubectl (client-side apply): 5 objects",
    },
    {
      name: "nothing recorded",
      snapshot: base().build(),
      counts: [],
      text: "unknown (no field managers or marks recorded)",
    },
  ];
  it.each(cases)("$name", ({ snapshot, counts, text }) => {
    expect(installerCounts(snapshot)).toEqual(counts);
    expect(describeInstallers(installerCounts(snapshot))).toBe(text);
  });
});
