import yaml from "js-yaml";
import type { BundleObject, BundleRecipe } from "./derived-manifests.js";

/**
 * A 2.18-SHAPED BUNDLE DERIVED FROM THE REAL 2.17.0 ONE, not KFP's own 2.18 manifests (the mirror of
 * kubeflow/pipelines here ends before 2.17.1). It applies the changes KFP's upgrade guide lists for 2.18
 * (docs/operator-guides/upgrade-2.18.md: "Prepare the UI signing key"; manifests/kustomize/base/pipeline/
 * ui-signing-key/{secret,rbac,job,kustomization}.yaml in kubeflow/pipelines) and issue 16's summary of the release:
 *
 * 1. every KFP image (`ghcr.io/kubeflow/kfp-*`) and `pipeline-install-config`'s appVersion move to `version`;
 * 2. the Secret `ml-pipeline-ui-tensorboard-proxy`, shipped WITHOUT `data` ("The initializer owns data");
 * 3. its initializer: ServiceAccount, Role (get/update on that Secret only) and RoleBinding
 *    `ml-pipeline-ui-signing-key-init`, the ConfigMap and the Job `ml-pipeline-ui-signing-key-init-<hash>`
 *    (kustomize names the Job after the generated ConfigMap's hash; the hash here is made up);
 * 4. `ml-pipeline-ui` reads `signing-secret` through a non-optional `secretKeyRef`, with strategy Recreate;
 * 5. the ScheduledWorkflow controller elects a leader: its Role may get/create/update Leases (issue 16's summary of
 *    the release notes, not verified against upstream).
 */
export function kfp218Bundle(version = "2.18.1"): BundleRecipe {
  return {
    from: "2.17.0",
    objects: (object) => {
      retag(object, version);
      if (object.kind === "ConfigMap" && object.metadata?.name === "pipeline-install-config") {
        (object.data as Record<string, string>).appVersion = version;
      }
      if (object.kind === "Deployment" && object.metadata?.name === "ml-pipeline-ui") readSigningKey(object);
      if (object.kind === "Role" && object.metadata?.name === "ml-pipeline-scheduledworkflow-role") {
        (object.rules as unknown[]).push({
          apiGroups: ["coordination.k8s.io"],
          resources: ["leases"],
          verbs: ["get", "create", "update"],
        });
      }
    },
    add: { "ui-signing-key.yaml": signingKeyObjects(version) },
  };
}

export const SIGNING_KEY_SECRET = "ml-pipeline-ui-tensorboard-proxy";
export const SIGNING_KEY_JOB = "ml-pipeline-ui-signing-key-init-5t2c8hkbm9";

const KFP_IMAGE = /^(ghcr\.io\/kubeflow\/kfp-[a-z0-9-]+):2\.17\.0$/;

/** Every string that is a 2.17.0 KFP image, anywhere in the object (containers, init containers, ConfigMap data). */
function retag(node: unknown, version: string): void {
  if (Array.isArray(node)) {
    node.forEach((item, index) => {
      if (typeof item === "string" && KFP_IMAGE.test(item))
        node[index] = item.replace(KFP_IMAGE, `$1:${version}`);
      else retag(item, version);
    });
    return;
  }
  if (typeof node !== "object" || node === null) return;
  const record = node as Record<string, unknown>;
  for (const [key, value] of Object.entries(record)) {
    if (typeof value === "string" && KFP_IMAGE.test(value))
      record[key] = value.replace(KFP_IMAGE, `$1:${version}`);
    else retag(value, version);
  }
}

function readSigningKey(deployment: BundleObject): void {
  const spec = deployment.spec as {
    strategy?: unknown;
    template: { spec: { containers: { name: string; env?: unknown[] }[] } };
  };
  spec.strategy = { type: "Recreate" };
  const ui = spec.template.spec.containers.find((c) => c.name === "ml-pipeline-ui");
  if (!ui) throw new Error("deployment/ml-pipeline-ui has no ml-pipeline-ui container");
  ui.env = [
    ...(ui.env ?? []),
    {
      name: "TENSORBOARD_PROXY_SIGNING_SECRET",
      valueFrom: { secretKeyRef: { name: SIGNING_KEY_SECRET, key: "signing-secret" } },
    },
  ];
}

function signingKeyObjects(version: string): string {
  const labels = { "application-crd-id": "kubeflow-pipelines" };
  const metadata = (name: string) => ({ name, namespace: "kubeflow", labels });
  const objects = [
    { apiVersion: "v1", kind: "Secret", metadata: metadata(SIGNING_KEY_SECRET), type: "Opaque" },
    { apiVersion: "v1", kind: "ServiceAccount", metadata: metadata("ml-pipeline-ui-signing-key-init") },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "Role",
      metadata: metadata("ml-pipeline-ui-signing-key-init"),
      rules: [
        {
          apiGroups: [""],
          resources: ["secrets"],
          resourceNames: [SIGNING_KEY_SECRET],
          verbs: ["get", "update"],
        },
      ],
    },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "RoleBinding",
      metadata: metadata("ml-pipeline-ui-signing-key-init"),
      roleRef: {
        apiGroup: "rbac.authorization.k8s.io",
        kind: "Role",
        name: "ml-pipeline-ui-signing-key-init",
      },
      subjects: [{ kind: "ServiceAccount", name: "ml-pipeline-ui-signing-key-init", namespace: "kubeflow" }],
    },
    {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: metadata("ml-pipeline-ui-signing-key-init-5t2c8hkbm9"),
      data: {
        image: `ghcr.io/kubeflow/kfp-frontend:${version}`,
        secretName: SIGNING_KEY_SECRET,
        secretKey: "signing-secret",
      },
    },
    {
      apiVersion: "batch/v1",
      kind: "Job",
      metadata: metadata(SIGNING_KEY_JOB),
      spec: {
        backoffLimit: 3,
        activeDeadlineSeconds: 300,
        template: {
          metadata: { labels: { "sidecar.istio.io/inject": "false" } },
          spec: {
            serviceAccountName: "ml-pipeline-ui-signing-key-init",
            restartPolicy: "Never",
            containers: [
              {
                name: "initialize",
                image: `ghcr.io/kubeflow/kfp-frontend:${version}`,
                workingDir: "/server",
                command: ["node", "dist/initialize-tensorboard-signing-key.js"],
                env: [
                  { name: "SIGNING_SECRET_NAME", value: SIGNING_KEY_SECRET },
                  { name: "SIGNING_SECRET_KEY", value: "signing-secret" },
                ],
              },
            ],
          },
        },
      },
    },
  ];
  return objects.map((object) => yaml.dump(object, { lineWidth: -1, noRefs: true })).join("---\n");
}
