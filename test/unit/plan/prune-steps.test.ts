import { describe, expect, it } from "vitest";
import type { KubeObject, ObjectRef } from "../../../src/model/kube-object.js";
import { ownerReferenceSteps, pruneCandidates } from "../../../src/plan/prune-steps.js";
import { aSnapshot, uidFor } from "../../support/snapshot-builder.js";

const KFP = { "application-crd-id": "kubeflow-pipelines" };

function object(kind: string, name: string, namespace?: string, apiVersion = "v1"): KubeObject {
  return { apiVersion, kind, metadata: { name, ...(namespace ? { namespace } : {}), labels: KFP } };
}

describe("pruneCandidates", () => {
  const target = [
    object("Service", "ml-pipeline", "kubeflow"),
    object("ConfigMap", "pipeline-install-config", "kubeflow"),
  ];

  const cases: { name: string; previous: KubeObject[]; pruned: ObjectRef[] }[] = [
    {
      name: "an object the old release had and the new one dropped",
      previous: [...target, object("Service", "workflow-controller-metrics", "kubeflow")],
      pruned: [
        { apiVersion: "v1", kind: "Service", name: "workflow-controller-metrics", namespace: "kubeflow" },
      ],
    },
    { name: "nothing when the release keeps everything", previous: target, pruned: [] },
    {
      name: "never a PVC, PV, Secret, Namespace or CRD, whatever the labels say",
      previous: [
        object("PersistentVolumeClaim", "minio-pvc", "kubeflow"),
        object("PersistentVolume", "kfp-minio"),
        object("Secret", "mysql-secret-db2h2gbg52", "kubeflow"),
        object("Namespace", "kubeflow"),
        object("CustomResourceDefinition", "applications.app.k8s.io", undefined, "apiextensions.k8s.io/v1"),
      ],
      pruned: [],
    },
    {
      name: "nothing in another namespace",
      previous: [object("ConfigMap", "stray", "default")],
      pruned: [],
    },
    {
      name: "cluster-scoped objects too, sorted by kind and name",
      previous: [
        object("Service", "b", "kubeflow"),
        object("ClusterRole", "old-role", undefined, "rbac.authorization.k8s.io/v1"),
        object("Service", "a", "kubeflow"),
      ],
      pruned: [
        {
          apiVersion: "rbac.authorization.k8s.io/v1",
          kind: "ClusterRole",
          name: "old-role",
          namespace: undefined,
        },
        { apiVersion: "v1", kind: "Service", name: "a", namespace: "kubeflow" },
        { apiVersion: "v1", kind: "Service", name: "b", namespace: "kubeflow" },
      ],
    },
  ];
  it.each(cases)("$name", ({ previous, pruned }) => {
    expect(pruneCandidates({ namespace: "kubeflow", previous, snapshot: null, target })).toEqual(pruned);
  });

  it("also considers KFP-labelled objects found in the cluster, once each", () => {
    const previous = [object("ConfigMap", "pipeline-install-config-b26bk8tf79", "kubeflow")];
    const snapshot = aSnapshot()
      .withInstalled("1.4.1", [
        ...previous,
        object("ConfigMap", "pipeline-install-config-486875c255", "kubeflow"),
        { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "users-own", namespace: "kubeflow" } },
        object("Secret", "mysql-secret-db2h2gbg52", "kubeflow"),
      ])
      .build();
    expect(
      pruneCandidates({ namespace: "kubeflow", previous, snapshot, target }).map((ref) => ref.name),
    ).toEqual(["pipeline-install-config-486875c255", "pipeline-install-config-b26bk8tf79"]);
  });

  it("considers an object of the target release kept even in another API version", () => {
    const previous = [object("Deployment", "ml-pipeline", "kubeflow", "apps/v1beta2")];
    expect(
      pruneCandidates({
        namespace: "kubeflow",
        previous,
        snapshot: null,
        target: [object("Deployment", "ml-pipeline", "kubeflow", "apps/v1")],
      }),
    ).toEqual([]);
  });
});

describe("ownerReferenceSteps", () => {
  const application = {
    apiVersion: "app.k8s.io/v1beta1",
    kind: "Application",
    name: "pipeline",
    uid: uidFor("Application", "pipeline"),
  };
  const other = { apiVersion: "v1", kind: "ConfigMap", name: "keeper", uid: "uid-keeper" };
  const going: ObjectRef[] = [
    { apiVersion: "app.k8s.io/v1beta1", kind: "Application", name: "pipeline", namespace: "kubeflow" },
  ];

  it("strips the references from data claims and their PVs to objects that will be deleted, keeping others", () => {
    const snapshot = aSnapshot()
      .withBoundClaim("mysql-pv-claim", "kfp-mysql", { ownerReferences: [application, other] })
      .withBoundClaim("minio-pvc", "kfp-minio", {
        ownerReferences: [application],
        volumeOwnerReferences: [application],
      })
      .build();
    expect(ownerReferenceSteps(snapshot, "kubeflow", going, ["mysql-pv-claim", "minio-pvc"])).toEqual([
      {
        kind: "stripOwnerReferences",
        target: { apiVersion: "v1", kind: "PersistentVolumeClaim", name: "minio-pvc", namespace: "kubeflow" },
        remove: [application],
        reason:
          "application/pipeline will be deleted, and the garbage collector would delete the claim with it",
      },
      {
        kind: "stripOwnerReferences",
        target: { apiVersion: "v1", kind: "PersistentVolume", name: "kfp-minio" },
        remove: [application],
        reason: "the owner will be deleted, and the garbage collector would delete the volume with it",
      },
      {
        kind: "stripOwnerReferences",
        target: {
          apiVersion: "v1",
          kind: "PersistentVolumeClaim",
          name: "mysql-pv-claim",
          namespace: "kubeflow",
        },
        remove: [application],
        reason:
          "application/pipeline will be deleted, and the garbage collector would delete the claim with it",
      },
    ]);
  });

  it("strips them from every other object that stays, so the garbage collector takes neither credentials nor the new install", () => {
    const owned = (o: KubeObject): KubeObject => ({
      ...o,
      metadata: { ...o.metadata, ownerReferences: [application] },
    });
    const snapshot = aSnapshot()
      .withInstalled("1.4.1", [
        owned(object("Secret", "mlpipeline-minio-artifact", "kubeflow")),
        owned(object("Deployment", "ml-pipeline", "kubeflow", "apps/v1")),
        owned(object("Service", "controller-manager-service", "kubeflow")),
        object("Application", "pipeline", "kubeflow", "app.k8s.io/v1beta1"),
        owned(object("ConfigMap", "elsewhere", "other-namespace")),
      ])
      .build();
    const goingToo: ObjectRef[] = [
      ...going,
      { apiVersion: "v1", kind: "Service", name: "controller-manager-service", namespace: "kubeflow" },
    ];
    const steps = ownerReferenceSteps(snapshot, "kubeflow", goingToo, ["mysql-pv-claim", "minio-pvc"]);
    expect(steps.map((step) => step.kind === "stripOwnerReferences" && [step.target, step.reason])).toEqual([
      [
        { apiVersion: "apps/v1", kind: "Deployment", name: "ml-pipeline", namespace: "kubeflow" },
        "application/pipeline will be deleted, and the garbage collector would delete the deployment with it",
      ],
      [
        { apiVersion: "v1", kind: "Secret", name: "mlpipeline-minio-artifact", namespace: "kubeflow" },
        "application/pipeline will be deleted, and the garbage collector would delete the secret with it",
      ],
    ]);
  });

  const none = [
    { name: "the owner stays", going: [] as ObjectRef[], claims: ["mysql-pv-claim"] },
    { name: "the claim is not a data claim", going, claims: ["something-else"] },
  ];
  it.each(none)("does nothing when $name", ({ going, claims }) => {
    const snapshot = aSnapshot()
      .withBoundClaim("mysql-pv-claim", "kfp-mysql", { ownerReferences: [application] })
      .build();
    expect(ownerReferenceSteps(snapshot, "kubeflow", going, claims)).toEqual([]);
  });
});
