import { describe, expect, it } from "vitest";
import { PreflightRefusal } from "../../../src/errors.js";
import {
  APPLIED_BY_ANNOTATION,
  OWNER_LABEL,
  OWNERS_ANNOTATION,
} from "../../../src/model/cluster-ownership.js";
import type { ClusterSnapshot } from "../../../src/model/cluster-snapshot.js";
import type { KubeObject } from "../../../src/model/kube-object.js";
import { buildDeployPlan } from "../../../src/plan/build-deploy-plan.js";
import { buildUpgradePlan } from "../../../src/plan/build-upgrade-plan.js";
import type { Plan } from "../../../src/plan/plan.js";
import type { Release } from "../../../src/release/release.js";
import { sharedHops, sharedRelease } from "../../support/manifests.js";
import { aSnapshot, type SnapshotBuilder } from "../../support/snapshot-builder.js";
import { anApp, installedSnapshot, NOW, PV_APP, stepsOf } from "./plan-inputs.js";

const CRB = "kubeflow-pipelines-cache-deployer-clusterrolebinding";
const CR = "kubeflow-pipelines-cache-deployer-clusterrole";
const B_APP = anApp({ namespace: "team-b" });

function deployIntoTeamB(snapshot: ClusterSnapshot, release: Release): Plan {
  return buildDeployPlan({ app: B_APP, snapshot, release, command: "deploy", now: NOW });
}

/** Every object the plan applies, by `kind/name`. */
function applied(plan: Plan): Map<string, KubeObject> {
  return new Map(
    stepsOf(plan, "applyObjects").flatMap((step) =>
      step.objects.map(({ object }) => [`${object.kind}/${object.metadata.name}`, object] as const),
    ),
  );
}

function refusalOf(build: () => unknown): string {
  try {
    build();
  } catch (error) {
    if (error instanceof PreflightRefusal) return [error.message, ...(error.details ?? [])].join("\n");
    throw error;
  }
  return "(not refused)";
}

const teamB = () => aSnapshot("team-b").withDefaultStorageClass();

describe("a deploy into a second namespace, with KFP's cluster-scoped names", () => {
  const cases: {
    name: string;
    snapshot: () => SnapshotBuilder;
    refused: string | null;
    /** The owners annotation of the ClusterRoleBinding the plan applies, when it is not refused. */
    bindingOwners?: string;
  }[] = [
    {
      name: "refused when another install's marks own the ClusterRoleBinding",
      snapshot: () =>
        teamB()
          .withOtherInstall("team-a")
          .withClusterObject("ClusterRoleBinding", CRB, {
            owners: ["team-a"],
            subjectNamespaces: ["team-a"],
          }),
      refused: `clusterrolebinding/${CRB} (used by the install in "team-a")`,
    },
    {
      name: "refused when a kubectl install elsewhere left the ClusterRoleBinding bound to its namespace",
      snapshot: () =>
        teamB()
          .withOtherNamespace("team-a")
          .withClusterObject("ClusterRoleBinding", CRB, {
            subjectNamespaces: ["team-a"],
          }),
      refused: `clusterrolebinding/${CRB} (used by the install in "team-a")`,
    },
    {
      name: "allowed when the owner's namespace is gone (the binding is re-pointed, owned by this install alone)",
      snapshot: () =>
        teamB().withClusterObject("ClusterRoleBinding", CRB, {
          owners: ["team-a"],
          subjectNamespaces: ["team-a"],
        }),
      refused: null,
      bindingOwners: "team-b",
    },
    {
      name: "allowed in an empty cluster, marked as this install's",
      snapshot: () => teamB(),
      refused: null,
      bindingOwners: "team-b",
    },
  ];

  it.each(cases)("$name", async ({ snapshot, refused, bindingOwners }) => {
    const release = await sharedRelease("2.14.4");
    const build = () => deployIntoTeamB(snapshot().build(), release);
    if (refused !== null) {
      const message = refusalOf(build);
      expect(message).toContain(refused);
      expect(message).toContain(
        "KFP's cluster-scoped objects cannot be shared across namespaces without multi-user mode",
      );
      return;
    }
    const binding = applied(build()).get(`ClusterRoleBinding/${CRB}`);
    expect(binding?.metadata.annotations?.[OWNERS_ANNOTATION]).toBe(bindingOwners);
    expect(binding?.metadata.labels?.[OWNER_LABEL]).toBe("team-b");
  });

  it("shares the objects that name no namespace, listing both installs", async () => {
    const release = await sharedRelease("2.14.4");
    // The other install's binding was renamed for it (kustomize nameSuffix), so nothing collides.
    const snapshot = teamB()
      .withOtherInstall("team-a")
      .withClusterObject("ClusterRole", CR, { owners: ["team-a"] })
      .withClusterObject("PriorityClass", "workflow-controller", { owners: ["team-a"], kfpLabel: true })
      .build();
    const objects = applied(deployIntoTeamB(snapshot, release));
    for (const key of [`ClusterRole/${CR}`, "PriorityClass/workflow-controller"]) {
      expect(objects.get(key)?.metadata.annotations?.[OWNERS_ANNOTATION]).toBe("team-a,team-b");
      expect(objects.get(key)?.metadata.labels?.[OWNER_LABEL]).toBe("team-a");
    }
  });
});

describe("CRDs are never applied older over newer", () => {
  const WORKFLOWS = "workflows.argoproj.io";
  const cases: {
    name: string;
    crd: Parameters<SnapshotBuilder["withCrd"]>[1];
    otherInstall?: string;
    note: string | null;
  }[] = [
    {
      name: "kept when a newer release applied it",
      crd: { appliedByRelease: "2.16.1", served: ["v1alpha1"] },
      note: `CRD ${WORKFLOWS} is kept as it is: KFP 2.16.1 applied it, and KFP 2.5.0's is older (never applied over a newer one)`,
    },
    {
      name: "kept when the cluster's serves a version the release's lacks",
      crd: { appliedByRelease: "2.0.5", served: ["v1alpha1", "v1alpha2"] },
      note: `CRD ${WORKFLOWS} is kept as it is: the cluster's serves v1alpha2, which KFP 2.5.0's CRD lacks`,
    },
    {
      name: "kept when the cluster's stores a version the release's lacks",
      crd: { appliedByRelease: "2.0.5", served: ["v1alpha1"], stored: ["v1alpha1", "v1beta1"] },
      note: `CRD ${WORKFLOWS} is kept as it is: the cluster's stores v1beta1, which KFP 2.5.0's CRD lacks`,
    },
    {
      name: "kept when it already is this release's",
      crd: { appliedByRelease: "2.5.0", served: ["v1alpha1"] },
      note: `CRD ${WORKFLOWS} is kept as it is: it already is KFP 2.5.0's`,
    },
    {
      name: "kept when something else applied it and another install uses it",
      crd: { appliedByRelease: null, served: ["v1alpha1"] },
      otherInstall: "team-a",
      note: `CRD ${WORKFLOWS} is kept as it is: it was not applied by kfp-upgrade and the install in "team-a" uses it, so which release it belongs to is unknown`,
    },
    {
      name: "applied over an older release's",
      crd: { appliedByRelease: "2.0.5", served: ["v1alpha1"], stored: ["v1alpha1"] },
      note: null,
    },
    {
      name: "applied when nothing says which release it came from and no other install uses it",
      crd: { appliedByRelease: null, served: ["v1alpha1"] },
      note: null,
    },
  ];

  it.each(cases)("deploy: $name", async ({ crd, otherInstall, note }) => {
    const release = await sharedRelease("2.5.0");
    const snapshot = teamB().withCrd(WORKFLOWS, crd);
    if (otherInstall) snapshot.withOtherInstall(otherInstall);
    const plan = deployIntoTeamB(snapshot.build(), release);
    const crdObject = applied(plan).get(`CustomResourceDefinition/${WORKFLOWS}`);
    const waited = stepsOf(plan, "waitEstablished").flatMap((step) => step.crds);
    if (note === null) {
      expect(crdObject?.metadata.annotations?.[APPLIED_BY_ANNOTATION]).toBe("2.5.0");
      expect(waited).toContain(WORKFLOWS);
      expect(plan.notes.filter((n) => n.includes(WORKFLOWS))).toEqual([]);
    } else {
      expect(crdObject).toBeUndefined();
      expect(waited).not.toContain(WORKFLOWS);
      expect(plan.notes).toContain(note);
    }
  });

  it("a multi-hop upgrade compares each hop with what the hop before applied", async () => {
    const installed = await sharedRelease("1.8.5");
    const snapshot = installedSnapshot(installed).withCrd(WORKFLOWS, { appliedByRelease: "2.5.0" }).build();
    const plan = buildUpgradePlan({
      app: PV_APP,
      snapshot,
      installed,
      hops: await sharedHops("1.8.5", "2.14.4"),
      strategy: "auto",
      now: NOW,
    });
    const byHop = stepsOf(plan, "applyObjects")
      .flatMap((step) => step.objects.map(({ object }) => ({ hop: step.hop, object })))
      .filter(({ object }) => object.metadata.name === WORKFLOWS)
      .map(({ hop, object }) => [hop, object.metadata.annotations?.[APPLIED_BY_ANNOTATION]]);
    // Hop 1 (-> 2.5.0) finds 2.5.0's already there; hop 2 (-> 2.14.4) replaces it.
    expect(byHop).toEqual([[2, "2.14.4"]]);
    expect(plan.notes).toContain(`CRD ${WORKFLOWS} is kept as it is: it already is KFP 2.5.0's`);
  });
});

describe("rollback never touches CRDs", () => {
  it("leaves every CRD out of the plan and says so", async () => {
    // 2.17.0 -> 2.16.1: the same MySQL series and both past 2.15's migration, so the rollback itself is allowed.
    const installed = await sharedRelease("2.17.0");
    const target = await sharedRelease("2.16.1");
    const plan = buildUpgradePlan({
      app: PV_APP,
      snapshot: installedSnapshot(installed).build(),
      installed,
      hops: [{ from: "2.17.0", to: "2.16.1", reason: "roll back to 2.16.1 (run 1)", release: target }],
      strategy: "manifests",
      command: "rollback",
      now: NOW,
    });
    const kinds = [...applied(plan).values()].map((object) => object.kind);
    expect(kinds).not.toContain("CustomResourceDefinition");
    expect(kinds).toContain("Deployment");
    expect(stepsOf(plan, "waitEstablished")).toEqual([]);
    expect(plan.notes.find((note) => note.startsWith("CRDs are left as they are"))).toContain(
      "workflows.argoproj.io",
    );
  });
});

describe("prune of cluster-scoped objects the target dropped", () => {
  const EXTRA = "kfp-extra-clusterrole";
  const extraRole: KubeObject = {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRole",
    metadata: { name: EXTRA },
    rules: [],
  };

  const cases: {
    name: string;
    /** The installed release's bundle had the ClusterRole (else only the cluster knows it). */
    inPrevious: boolean;
    snapshot: (builder: SnapshotBuilder) => SnapshotBuilder;
    pruned: boolean;
    note?: string;
  }[] = [
    {
      name: "pruned when this install owns it alone",
      inPrevious: true,
      snapshot: (s) => s.withClusterObject("ClusterRole", EXTRA, { owners: ["kubeflow"] }),
      pruned: true,
    },
    {
      name: "kept when another live install shares it",
      inPrevious: true,
      snapshot: (s) =>
        s
          .withOtherInstall("team-a")
          .withClusterObject("ClusterRole", EXTRA, { owners: ["kubeflow", "team-a"] }),
      pruned: false,
      note: `clusterrole/${EXTRA} is not pruned: the install in "team-a" uses it too`,
    },
    {
      name: "pruned when the other owner's namespace is gone",
      inPrevious: true,
      snapshot: (s) => s.withClusterObject("ClusterRole", EXTRA, { owners: ["kubeflow", "team-a"] }),
      pruned: true,
    },
    {
      name: "never a candidate when only another install owns it",
      inPrevious: false,
      snapshot: (s) =>
        s
          .withOtherInstall("team-a")
          .withClusterObject("ClusterRole", EXTRA, { owners: ["team-a"], kfpLabel: true }),
      pruned: false,
    },
    {
      name: "kept when never marked and KFP runs in another namespace",
      inPrevious: true,
      snapshot: (s) => s.withOtherInstall("team-a").withClusterObject("ClusterRole", EXTRA),
      pruned: false,
      note: `clusterrole/${EXTRA} is not pruned: the install in "team-a" uses it too`,
    },
    {
      name: "pruned when never marked and no other install exists (as before marks)",
      inPrevious: true,
      snapshot: (s) => s.withClusterObject("ClusterRole", EXTRA),
      pruned: true,
    },
  ];

  it.each(cases)("$name", async ({ inPrevious, snapshot, pruned, note }) => {
    const installed = await sharedRelease("2.5.0");
    if (inPrevious) installed.objects.push(extraRole);
    const plan = buildUpgradePlan({
      app: PV_APP,
      snapshot: snapshot(installedSnapshot(await sharedRelease("2.5.0"))).build(),
      installed,
      hops: await sharedHops("2.5.0", "2.14.4"),
      strategy: "auto",
      now: NOW,
    });
    const prunedNames = stepsOf(plan, "prune").flatMap((step) =>
      step.objects.map((o) => `${o.kind}/${o.name}`),
    );
    expect(prunedNames.includes(`ClusterRole/${EXTRA}`)).toBe(pruned);
    if (note) expect(plan.notes).toContain(note);
  });

  it("an upgrade never prunes the other install's binding, though its marks put it among the candidates", async () => {
    const installed = await sharedRelease("2.5.0");
    const plan = buildUpgradePlan({
      app: PV_APP,
      snapshot: installedSnapshot(installed)
        .withOtherInstall("team-a")
        .withClusterObject("ClusterRoleBinding", "team-a-binding", {
          owners: ["team-a"],
          subjectNamespaces: ["team-a"],
        })
        .build(),
      installed,
      hops: await sharedHops("2.5.0", "2.14.4"),
      strategy: "auto",
      now: NOW,
    });
    const prunedNames = stepsOf(plan, "prune").flatMap((step) => step.objects.map((o) => o.name));
    expect(prunedNames).not.toContain("team-a-binding");
  });
});

describe("an upgrade never re-points another install's binding", () => {
  it("is refused when the live binding is owned by another install", async () => {
    const installed = await sharedRelease("2.5.0");
    const snapshot = installedSnapshot(installed)
      .withOtherInstall("team-a")
      .withClusterObject("ClusterRoleBinding", CRB, { owners: ["team-a"], subjectNamespaces: ["team-a"] })
      .build();
    const hops = await sharedHops("2.5.0", "2.14.4");
    const message = refusalOf(() =>
      buildUpgradePlan({ app: PV_APP, snapshot, installed, hops, strategy: "auto", now: NOW }),
    );
    expect(message).toContain(`clusterrolebinding/${CRB} (used by the install in "team-a")`);
  });
});
