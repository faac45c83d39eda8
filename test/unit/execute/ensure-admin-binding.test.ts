import { describe, expect, it } from "vitest";
import { ensureAdminBinding } from "../../../src/execute/ensure-admin-binding.js";
import type { ExecutionContext } from "../../../src/execute/execution-context.js";
import type { KubeObject, ObjectRef } from "../../../src/model/kube-object.js";
import type { StepOf } from "../../../src/plan/step.js";
import { FakeKubeClient } from "../../support/fake-kube-client.js";

const STEP: StepOf<"ensureAdminBinding"> = {
  id: "01-ensureAdminBinding",
  kind: "ensureAdminBinding",
  name: "admin-binding",
  clusterRole: "cluster-admin",
  user: "owner@example.com",
  missing: ["create customresourcedefinitions.apiextensions.k8s.io (cluster-wide)"],
};
const REF: ObjectRef = {
  apiVersion: "rbac.authorization.k8s.io/v1",
  kind: "ClusterRoleBinding",
  name: "admin-binding",
};

function context(client: FakeKubeClient, timeoutSeconds = 5): ExecutionContext & { messages: string[] } {
  const messages: string[] = [];
  return {
    client,
    timeoutSeconds,
    signal: new AbortController().signal,
    progress: (message) => messages.push(message),
    warn: (message) => messages.push(`warning: ${message}`),
    bindings: new Map(),
    saveVolume: async () => {},
    steps: [],
    messages,
  };
}

describe("ensureAdminBinding", () => {
  it("creates cluster-admin for the gcloud account and checks that the API server grants it", async () => {
    const fake = new FakeKubeClient();
    await expect(ensureAdminBinding(STEP, context(fake))).resolves.toBe(
      "clusterrolebinding/admin-binding created: cluster-admin for user owner@example.com",
    );
    expect(await fake.get(REF)).toMatchObject({
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "cluster-admin" },
      subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "User", name: "owner@example.com" }],
    });
  });

  it("never overwrites a binding of that name (a resumed run, or someone else's)", async () => {
    const theirs: KubeObject = {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRoleBinding",
      metadata: { name: "admin-binding" },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "cluster-admin" },
      subjects: [{ kind: "User", name: "someone@example.com" }],
    };
    const fake = new FakeKubeClient().seed([theirs]);
    await expect(ensureAdminBinding(STEP, context(fake))).resolves.toBe(
      "clusterrolebinding/admin-binding exists; kept as it is",
    );
    expect(await fake.get(REF)).toMatchObject({ subjects: [{ name: "someone@example.com" }] });
  });

  it("stops the run when the binding does not cover the current user (exit 4)", async () => {
    const fake = new FakeKubeClient().deny({ verb: "*", group: "*", resource: "*" });
    const ctx = context(fake, 1);
    await expect(ensureAdminBinding(STEP, ctx)).rejects.toMatchObject({
      code: "ADMIN_BINDING_NOT_EFFECTIVE",
      exitCode: 4,
      message:
        "clusterrolebinding/admin-binding binds cluster-admin to owner@example.com, but the current user (fake-user) still lacks it: the kubeconfig's user is not the gcloud account; nothing else was changed",
    });
    expect(ctx.messages[0]).toBe("waiting until the API server grants cluster-admin to fake-user");
  });
});
