import { describe, expect, it } from "vitest";
import { buildUninstallPlan } from "../../../src/plan/build-uninstall-plan.js";
import { PROTECTED_KINDS } from "../../../src/plan/order.js";
import { renderPlanText } from "../../../src/plan/render-plan-text.js";
import { sharedRelease } from "../../support/manifests.js";
import { aSnapshot } from "../../support/snapshot-builder.js";
import { installedSnapshot, NOW, PV_APP, stepsOf } from "./plan-inputs.js";

describe("uninstall 2.14.4 installed on two pre-created PVs", () => {
  async function plan(deleteData = false) {
    const installed = await sharedRelease("2.14.4");
    return buildUninstallPlan({
      app: PV_APP,
      snapshot: installedSnapshot(installed).build(),
      installed,
      now: NOW,
      deleteData,
    });
  }

  it("--delete-data: the data claims go last, once no pod uses them; the plan says their PVs stay", async () => {
    const p = await plan(true);
    expect(p.steps.at(-1)).toMatchObject({
      kind: "deleteDataClaims",
      claims: [
        { role: "mysql", claim: "mysql-pv-claim" },
        { role: "objectStore", claim: "minio-pvc" },
      ],
    });
    expect(p.steps.at(-2)?.kind).toBe("waitPodsGone");
    expect(p.notes.at(-1)).toMatch(
      /^deleted: the data claims \(mysql-pv-claim, minio-pvc\); kept: their PVs \(Retain/,
    );
    const text = renderPlanText(p, { color: false });
    expect(text).toMatch(
      /- persistentvolumeclaim\/mysql-pv-claim -n \S+ \(--delete-data; its PV \S+ stays: Retain/,
    );
    expect(stepsOf(await plan(false), "deleteDataClaims")).toEqual([]);
  });

  it("saves the volumes and verifies them before deleting anything, then waits until no pod is left", async () => {
    const p = await plan();
    const kinds = p.steps.map((step) => step.kind);
    expect(kinds.indexOf("saveVolumeDefinitions")).toBeLessThan(kinds.indexOf("prune"));
    expect(kinds.indexOf("verifyBinding")).toBeLessThan(kinds.indexOf("prune"));
    expect(kinds.at(-1)).toBe("waitPodsGone");
    expect(stepsOf(p, "saveVolumeDefinitions")[0]?.claims).toEqual([
      { role: "mysql", claim: "mysql-pv-claim" },
      { role: "objectStore", claim: "minio-pvc" },
    ]);
    expect(stepsOf(p, "waitPodsGone")[0]?.workloads.map((w) => w.name)).toContain("mysql");
  });

  it("deletes the release's objects, workloads first, and never a claim, PV, Secret, namespace or CRD", async () => {
    const p = await plan();
    const going = stepsOf(p, "prune").flatMap((step) => step.objects);
    expect(
      going.filter((ref) => PROTECTED_KINDS.has(ref.kind) || ref.kind === "CustomResourceDefinition"),
    ).toEqual([]);
    const names = going.map((ref) => `${ref.kind}/${ref.name}`);
    expect(names).toEqual(
      expect.arrayContaining([
        "Deployment/ml-pipeline",
        "Deployment/mysql",
        "Service/ml-pipeline",
        "ConfigMap/pipeline-install-config",
        "ServiceAccount/ml-pipeline",
      ]),
    );
    const firstNonWorkload = going.findIndex((ref) => ref.kind !== "Deployment");
    expect(going.slice(firstNonWorkload).filter((ref) => ref.kind === "Deployment")).toEqual([]);
    expect(names.indexOf("Service/ml-pipeline")).toBeLessThan(names.indexOf("ServiceAccount/ml-pipeline"));
    expect(p.notes.at(-1)).toBe(
      "kept: the data claims (mysql-pv-claim, minio-pvc) bound to their PVs, every Secret, the namespace and the CRDs; `kfp-upgrade reinstall` brings KFP 2.14.4 back on them",
    );
    const text = renderPlanText(p, { color: false });
    expect(text).toMatch(/^Plan: uninstall KFP 2\.14\.4 from namespace kubeflow, keeping its data/);
    expect(text).toContain("  - deployment/mysql -n kubeflow (installed by KFP 2.14.4)\n");
  });

  it("is refused, changing nothing, where no KFP is installed", async () => {
    const installed = await sharedRelease("2.14.4");
    expect(() =>
      buildUninstallPlan({ app: PV_APP, snapshot: aSnapshot("kubeflow").build(), installed, now: NOW }),
    ).toThrow(/Cannot uninstall KFP from namespace "kubeflow": no KFP install found/);
  });
});
