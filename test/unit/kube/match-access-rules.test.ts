import { describe, expect, it } from "vitest";
import type { AccessCheck } from "../../../src/kube/kube-client.js";
import {
  type ResourceRule,
  ruleGrants,
  rulesGrant,
  rulesReviewStatusSchema,
} from "../../../src/kube/match-access-rules.js";

const patchDeployments: AccessCheck = {
  verb: "patch",
  group: "apps",
  resource: "deployments",
  namespace: "kf",
};

describe("ruleGrants", () => {
  it("grants an exact verb, group and resource", () => {
    const rule: ResourceRule = { verbs: ["get", "patch"], apiGroups: ["apps"], resources: ["deployments"] };
    expect(ruleGrants(rule, patchDeployments)).toBe(true);
    expect(ruleGrants(rule, { ...patchDeployments, verb: "delete" })).toBe(false);
    expect(ruleGrants(rule, { ...patchDeployments, group: "" })).toBe(false);
    expect(ruleGrants(rule, { ...patchDeployments, resource: "statefulsets" })).toBe(false);
  });

  it("treats * as every verb, group and resource (cluster-admin's rule)", () => {
    const admin: ResourceRule = { verbs: ["*"], apiGroups: ["*"], resources: ["*"] };
    expect(ruleGrants(admin, patchDeployments)).toBe(true);
    expect(
      ruleGrants(admin, {
        verb: "bind",
        group: "rbac.authorization.k8s.io",
        resource: "clusterroles",
        name: "cluster-admin",
      }),
    ).toBe(true);
    expect(ruleGrants(admin, { ...patchDeployments, subresource: "scale" })).toBe(true);
    expect(
      ruleGrants({ verbs: ["*"], apiGroups: ["apps"], resources: ["deployments"] }, patchDeployments),
    ).toBe(true);
    expect(
      ruleGrants({ verbs: ["patch"], apiGroups: ["*"], resources: ["deployments"] }, patchDeployments),
    ).toBe(true);
  });

  it("matches the core group only by the empty string or *", () => {
    const core: AccessCheck = { verb: "get", group: "", resource: "persistentvolumes" };
    expect(ruleGrants({ verbs: ["get"], apiGroups: [""], resources: ["persistentvolumes"] }, core)).toBe(
      true,
    );
    expect(ruleGrants({ verbs: ["get"], apiGroups: ["apps"], resources: ["persistentvolumes"] }, core)).toBe(
      false,
    );
    expect(ruleGrants({ verbs: ["get"], resources: ["persistentvolumes"] }, core)).toBe(false);
  });

  it("matches a subresource as resource/subresource or */subresource, never by the resource alone", () => {
    const scale: AccessCheck = { ...patchDeployments, subresource: "scale" };
    expect(
      ruleGrants({ verbs: ["patch"], apiGroups: ["apps"], resources: ["deployments/scale"] }, scale),
    ).toBe(true);
    expect(ruleGrants({ verbs: ["patch"], apiGroups: ["apps"], resources: ["*/scale"] }, scale)).toBe(true);
    expect(ruleGrants({ verbs: ["patch"], apiGroups: ["apps"], resources: ["deployments"] }, scale)).toBe(
      false,
    );
    expect(ruleGrants({ verbs: ["patch"], apiGroups: ["apps"], resources: ["*/status"] }, scale)).toBe(false);
    // A subresource rule does not grant the resource itself.
    expect(
      ruleGrants(
        { verbs: ["patch"], apiGroups: ["apps"], resources: ["deployments/scale"] },
        patchDeployments,
      ),
    ).toBe(false);
    expect(
      ruleGrants({ verbs: ["patch"], apiGroups: ["apps"], resources: ["*/scale"] }, patchDeployments),
    ).toBe(false);
    const proxy: AccessCheck = {
      verb: "get",
      group: "",
      resource: "services",
      subresource: "proxy",
      namespace: "kf",
    };
    expect(ruleGrants({ verbs: ["get"], apiGroups: [""], resources: ["services/proxy"] }, proxy)).toBe(true);
  });

  it("grants a rule with resourceNames only to a request naming one of them", () => {
    const rule: ResourceRule = {
      verbs: ["bind"],
      apiGroups: ["rbac.authorization.k8s.io"],
      resources: ["clusterroles"],
      resourceNames: ["cluster-admin"],
    };
    const bind: AccessCheck = { verb: "bind", group: "rbac.authorization.k8s.io", resource: "clusterroles" };
    expect(ruleGrants(rule, { ...bind, name: "cluster-admin" })).toBe(true);
    expect(ruleGrants(rule, { ...bind, name: "view" })).toBe(false);
    // A request for all objects (list, create) is not granted by a rule limited to names.
    expect(ruleGrants(rule, bind)).toBe(false);
    expect(ruleGrants({ ...rule, resourceNames: [] }, bind)).toBe(true);
  });
});

describe("rulesGrant", () => {
  it("is true when any rule grants, false when none does", () => {
    const rules: ResourceRule[] = [
      { verbs: ["get"], apiGroups: ["apps"], resources: ["deployments"] },
      { verbs: ["patch"], apiGroups: ["apps"], resources: ["deployments"] },
    ];
    expect(rulesGrant(rules, patchDeployments)).toBe(true);
    expect(rulesGrant(rules, { ...patchDeployments, verb: "delete" })).toBe(false);
    expect(rulesGrant([], patchDeployments)).toBe(false);
  });
});

describe("rulesReviewStatusSchema", () => {
  it("reads the API server's status, incomplete and evaluationError included; missing lists are empty", () => {
    expect(
      rulesReviewStatusSchema.parse({
        resourceRules: [
          { verbs: ["create"], apiGroups: ["authorization.k8s.io"], resources: ["selfsubjectaccessreviews"] },
        ],
        nonResourceRules: [{ verbs: ["get"], nonResourceURLs: ["/api"] }],
        incomplete: true,
        evaluationError: "webhook authorizer does not support user rule resolution",
      }),
    ).toEqual({
      resourceRules: [
        { verbs: ["create"], apiGroups: ["authorization.k8s.io"], resources: ["selfsubjectaccessreviews"] },
      ],
      incomplete: true,
      evaluationError: "webhook authorizer does not support user rule resolution",
    });
    expect(rulesReviewStatusSchema.parse({})).toEqual({ resourceRules: [], incomplete: false });
  });
});
