import { describe, expect, it } from "vitest";
import { PreflightRefusal } from "../../../src/errors.js";
import { buildUpgradePlan } from "../../../src/plan/build-upgrade-plan.js";
import type { Plan } from "../../../src/plan/plan.js";
import { renderPlanText } from "../../../src/plan/render-plan-text.js";
import { sharedHops, sharedRelease } from "../../support/manifests.js";
import {
  type InstallerOptions,
  KUBECTL_CLIENT_SIDE,
  type SnapshotBuilder,
} from "../../support/snapshot-builder.js";
import { installedSnapshot, NOW, PV_APP, stepsOf } from "./plan-inputs.js";

const HELM: InstallerOptions = {
  managers: [{ manager: "helm", operation: "Update" }],
  helmRelease: { name: "kfp", namespace: "kubeflow" },
};

/** An upgrade over a real install of `from` that `installer` made; `adjust` changes the cluster further. */
async function upgradeInstalledBy(
  installer: InstallerOptions,
  options: {
    from?: string;
    to?: string;
    adopt?: boolean;
    adjust?: (snapshot: SnapshotBuilder) => SnapshotBuilder;
  } = {},
): Promise<Plan> {
  const from = options.from ?? "2.5.0";
  const installed = await sharedRelease(from);
  const snapshot = installedSnapshot(installed).installedBy(installer);
  return buildUpgradePlan({
    app: PV_APP,
    snapshot: (options.adjust ?? ((s) => s))(snapshot).build(),
    installed,
    hops: await sharedHops(from, options.to ?? "2.14.4"),
    strategy: "auto",
    ...(options.adopt === undefined ? {} : { adopt: options.adopt }),
    now: NOW,
  });
}

async function refusalOf(plan: Promise<Plan>): Promise<PreflightRefusal> {
  const error = await plan.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(PreflightRefusal);
  return error as PreflightRefusal;
}

describe("an install made with kubectl apply (client-side)", () => {
  it("renders the plan", async () => {
    const plan = await upgradeInstalledBy(KUBECTL_CLIENT_SIDE);
    await expect(renderPlanText(plan, { color: false })).toMatchFileSnapshot(
      "__plans__/upgrade-2.5.0-2.14.4-kubectl.txt",
    );
  });

  it("adopts every existing object the plan applies, before the first write and before the dry run", async () => {
    const plan = await upgradeInstalledBy(KUBECTL_CLIENT_SIDE);
    const [adopt] = stepsOf(plan, "adoptObjects");
    expect(adopt).toMatchObject({
      from: ["kubectl-client-side-apply"],
      installers: ["kubectl (client-side apply)"],
    });
    const kinds = plan.steps.map((step) => step.kind);
    expect(kinds.indexOf("adoptObjects")).toBe(kinds.indexOf("serverDryRun") - 1);
    expect(kinds.slice(0, kinds.indexOf("adoptObjects")).every((k) => k === "setReclaimPolicy")).toBe(true);
    const adopted = adopt?.objects.map((ref) => `${ref.kind}/${ref.name}`) ?? [];
    expect(adopted).toContain("Deployment/ml-pipeline");
    expect(adopted).toContain("CustomResourceDefinition/workflows.argoproj.io");
    expect(adopted).toContain("ClusterRole/kubeflow-pipelines-cache-deployer-clusterrole");
  });

  it("never adopts the claims, or the credential Secrets it keeps as they are", async () => {
    const plan = await upgradeInstalledBy(KUBECTL_CLIENT_SIDE);
    const adopted = stepsOf(plan, "adoptObjects").flatMap((step) => step.objects.map((ref) => ref.kind));
    expect(adopted).not.toContain("PersistentVolumeClaim");
    expect(adopted).not.toContain("PersistentVolume");
    expect(adopted).not.toContain("Secret");
    expect(plan.notes).toContain(
      "Secrets kept as they are (never overwritten): mlpipeline-minio-artifact, mysql-secret",
    );
  });

  it("leaves out objects only kfp-upgrade and Kubernetes' components own", async () => {
    const plan = await upgradeInstalledBy(KUBECTL_CLIENT_SIDE, {
      adjust: (snapshot) =>
        snapshot
          .withOwnership("Deployment", "ml-pipeline", {
            managers: [{ manager: "kfp-upgrade", operation: "Apply" }],
          })
          .withOwnership("Deployment", "mysql", {
            managers: [{ manager: "kube-controller-manager", operation: "Update" }],
          }),
    });
    const adopted = stepsOf(plan, "adoptObjects").flatMap((step) =>
      step.objects.map((ref) => `${ref.kind}/${ref.name}`),
    );
    expect(adopted).not.toContain("Deployment/ml-pipeline");
    expect(adopted).not.toContain("Deployment/mysql");
    expect(adopted).toContain("Service/ml-pipeline");
    expect(adopted).toContain("Deployment/ml-pipeline-ui");
  });

  it("adopts nothing on an install kfp-upgrade made, and says nothing of Helm or GitOps", async () => {
    const plan = await upgradeInstalledBy({ managers: [{ manager: "kfp-upgrade", operation: "Apply" }] });
    expect(stepsOf(plan, "adoptObjects")).toEqual([]);
    expect(stepsOf(plan, "forgetHelmRelease")).toEqual([]);
    expect(plan.warnings.filter((w) => w.includes("--adopt"))).toEqual([]);
  });
});

describe("a server-side apply install (kubectl apply --server-side)", () => {
  it("adopts from kubectl's field manager", async () => {
    const plan = await upgradeInstalledBy({ managers: [{ manager: "kubectl", operation: "Apply" }] });
    expect(stepsOf(plan, "adoptObjects")[0]).toMatchObject({
      from: ["kubectl"],
      installers: ["kubectl (server-side apply)"],
    });
  });
});

describe("a Helm release's install", () => {
  const withRecords = (snapshot: SnapshotBuilder) => snapshot.withHelmReleaseRecords("kfp", "kubeflow", 2);

  it("is refused without --adopt, naming the release and what --adopt does", async () => {
    const refusal = await refusalOf(upgradeInstalledBy(HELM, { adjust: withRecords }));
    expect(refusal.code).toBe("HELM_MANAGED");
    expect(refusal.exitCode).toBe(4);
    expect(refusal.message).toBe(
      'Cannot upgrade KFP 2.5.0 to 2.14.4 in namespace "kubeflow": the install belongs to Helm release kfp (namespace kubeflow, 2 release records): `helm upgrade` or `helm uninstall` would undo or delete what this upgrade does, KFP\'s claims included',
    );
    expect(refusal.hint).toBe(
      "Run again with --adopt to take the install over from Helm: kfp-upgrade takes ownership of its objects, then deletes the release records (sh.helm.release.v1.kfp.v*, which hold no KFP data) and removes Helm's marks from every object, so a later `helm uninstall` cannot delete KFP's claims. Nothing was changed.",
    );
  });

  it("is refused for Helm's marks on the data claims alone", async () => {
    const refusal = await refusalOf(
      upgradeInstalledBy(
        { managers: [{ manager: "kubectl-client-side-apply", operation: "Update" }] },
        {
          adjust: (snapshot) =>
            withRecords(snapshot).withHelmMarks("PersistentVolumeClaim", "mysql-pv-claim", "kfp", "kubeflow"),
        },
      ),
    );
    expect(refusal.code).toBe("HELM_MANAGED");
  });

  it("is one problem among the others when the plan has more", async () => {
    const refusal = await refusalOf(
      upgradeInstalledBy(HELM, { adjust: (snapshot) => withRecords(snapshot).withNamespace("Terminating") }),
    );
    expect(refusal.code).toBe("PREFLIGHT");
    expect(refusal.details).toEqual([
      'namespace "kubeflow" is Terminating',
      expect.stringMatching(
        /^the install belongs to Helm release kfp \(namespace kubeflow, 2 release records\)/,
      ),
    ]);
  });

  it("with --adopt: adopts from helm, then forgets the release at the very end and warns", async () => {
    const plan = await upgradeInstalledBy(HELM, { adopt: true, adjust: withRecords });
    expect(stepsOf(plan, "adoptObjects")[0]).toMatchObject({
      from: ["helm"],
      installers: ["Helm release kfp"],
    });
    expect(renderPlanText(plan, { color: false })).toMatch(
      /~ adopt \d+ objects from Helm release kfp: take over the fields of helm \(no field value changes\)/,
    );
    const last = plan.steps.at(-1);
    expect(last?.kind).toBe("forgetHelmRelease");
    if (last?.kind !== "forgetHelmRelease") return;
    expect(last).toMatchObject({
      release: "kfp",
      namespace: "kubeflow",
      records: [
        { kind: "Secret", name: "sh.helm.release.v1.kfp.v1", uid: "uid-secret-sh.helm.release.v1.kfp.v1" },
        { kind: "Secret", name: "sh.helm.release.v1.kfp.v2", uid: "uid-secret-sh.helm.release.v1.kfp.v2" },
      ],
    });
    const unmarked = last.unmark.map((ref) => `${ref.kind}/${ref.name}`);
    expect(unmarked).toContain("PersistentVolumeClaim/mysql-pv-claim");
    expect(unmarked).toContain("Secret/mysql-secret");
    expect(unmarked).toContain("Deployment/ml-pipeline");
    expect(plan.warnings).toContain(
      `--adopt: Helm release kfp (namespace kubeflow) is forgotten once the upgrade is done: its 2 release records (no KFP data) are deleted and Helm's marks removed from ${last.unmark.length} objects, so \`helm list\` no longer shows it and \`helm uninstall kfp\` cannot delete KFP's claims`,
    );
    const text = renderPlanText(plan, { color: false });
    expect(text).toContain(
      "- secret/sh.helm.release.v1.kfp.v2 -n kubeflow (Helm release record of kfp; holds no KFP data)",
    );
  });
});

describe("a GitOps-managed install", () => {
  const cases = [
    {
      name: "an Argo CD Application's",
      installer: { ...KUBECTL_CLIENT_SIDE, argoCdApp: "kubeflow-pipelines" },
      problem: "the install is managed by Argo CD Application kubeflow-pipelines",
      suspend: "`argocd app set kubeflow-pipelines --sync-policy none`",
    },
    {
      name: "a Flux Kustomization's",
      installer: {
        managers: [{ manager: "kustomize-controller", operation: "Apply" }],
        flux: { kind: "Kustomization" as const, name: "kfp", namespace: "flux-system" },
      },
      problem: "the install is managed by Flux Kustomization kfp (namespace flux-system)",
      suspend: "`flux suspend kustomization kfp -n flux-system`",
    },
    {
      name: "a Flux HelmRelease's",
      installer: {
        managers: [{ manager: "helm-controller", operation: "Update" }],
        flux: { kind: "HelmRelease" as const, name: "pipelines", namespace: "apps" },
      },
      problem: "the install is managed by Flux HelmRelease pipelines (namespace apps)",
      suspend: "`flux suspend helmrelease pipelines -n apps`",
    },
  ];

  it.each(cases)(
    "$name is refused without --adopt, naming what to suspend",
    async ({ installer, problem, suspend }) => {
      const refusal = await refusalOf(upgradeInstalledBy(installer));
      expect(refusal.code).toBe("GITOPS_MANAGED");
      expect(refusal.message).toContain(problem);
      expect(refusal.hint).toContain(suspend);
      expect(refusal.hint).toContain("then run again with --adopt");
    },
  );

  it.each(cases)("$name is upgraded with --adopt, with a warning", async ({ installer, problem }) => {
    const plan = await upgradeInstalledBy(installer, { adopt: true });
    const owner = problem.replace("the install is managed by ", "");
    expect(plan.warnings).toContain(
      `--adopt: ${owner} manages this install: keep it suspended, or point it at KFP 2.14.4's manifests before resuming it, or it reverts the upgrade`,
    );
    expect(stepsOf(plan, "adoptObjects")).toHaveLength(1);
    expect(stepsOf(plan, "forgetHelmRelease")).toEqual([]);
  });

  it("lists a Helm release and a GitOps owner together, Helm's code first", async () => {
    const refusal = await refusalOf(upgradeInstalledBy({ ...HELM, argoCdApp: "kfp" }));
    expect(refusal.code).toBe("HELM_MANAGED");
    expect(refusal.details).toHaveLength(2);
  });
});

describe("a multi-hop upgrade of a kubectl install", () => {
  it("adopts once, before hop 1, and dry-runs each hop before its first write", async () => {
    const plan = await upgradeInstalledBy(KUBECTL_CLIENT_SIDE, { from: "1.8.5" });
    const adopt = stepsOf(plan, "adoptObjects");
    expect(adopt).toHaveLength(1);
    expect(adopt[0]?.hop).toBeUndefined();
    const dryRuns = stepsOf(plan, "serverDryRun");
    expect(dryRuns.map((step) => step.hop)).toEqual([1, 2]);
    const kinds = plan.steps.map((step) => step.kind);
    expect(kinds.indexOf("adoptObjects")).toBeLessThan(kinds.indexOf("serverDryRun"));
  });
});
