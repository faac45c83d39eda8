import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../../src/model/kube-object.js";
import { buildUpgradePlan } from "../../../src/plan/build-upgrade-plan.js";
import { formerSecret } from "../../../src/plan/release-object-steps.js";
import { sharedHops, sharedRelease } from "../../support/manifests.js";
import { indexOf, installedSnapshot, NOW, PV_APP, stepsOf } from "./plan-inputs.js";

describe("formerSecret", () => {
  const uses = (deployment: string, ...secrets: string[]) => ({ deployment, secrets });
  it.each([
    {
      name: "kustomize hash suffix",
      existing: ["mysql-secret-db2h2gbg52", "other"],
      references: [],
      expected: { from: "mysql-secret-db2h2gbg52" },
    },
    {
      name: "former name up to 0.4.0",
      existing: ["mysql-credential"],
      references: [],
      expected: { from: "mysql-credential" },
    },
    {
      name: "no match for a different prefix",
      existing: ["mysql-secretive-abcdefghij"],
      references: [],
      expected: null,
    },
    { name: "no match for a short suffix", existing: ["mysql-secret-abc"], references: [], expected: null },
    { name: "nothing there", existing: [], references: [], expected: null },
    {
      name: "the one the Deployments reference, not the alphabetically first",
      existing: ["mysql-secret-aaaaaaaaaa", "mysql-secret-db2h2gbg52"],
      references: [
        uses("ml-pipeline", "mlpipeline-minio-artifact", "mysql-secret-db2h2gbg52"),
        uses("mysql", "mysql-secret-db2h2gbg52"),
      ],
      expected: { from: "mysql-secret-db2h2gbg52" },
    },
    {
      name: "the one only ml-pipeline references (mysql reads no Secret)",
      existing: ["mysql-secret-aaaaaaaaaa", "mysql-secret-zzzzzzzzzz"],
      references: [uses("ml-pipeline", "mysql-secret-zzzzzzzzzz"), uses("mysql")],
      expected: { from: "mysql-secret-zzzzzzzzzz" },
    },
    {
      name: "refused when the references disagree",
      existing: ["mysql-secret-aaaaaaaaaa", "mysql-secret-zzzzzzzzzz"],
      references: [uses("ml-pipeline", "mysql-secret-aaaaaaaaaa"), uses("mysql", "mysql-secret-zzzzzzzzzz")],
      expected: {
        refusal:
          "the Deployments disagree on which Secret holds the credentials of mysql-secret: deployment/ml-pipeline uses mysql-secret-aaaaaaaaaa; deployment/mysql uses mysql-secret-zzzzzzzzzz. Make them reference the same Secret (the one MySQL's password is in), then run the command again",
      },
    },
    {
      name: "refused when several are there and none is referenced",
      existing: ["mysql-secret-aaaaaaaaaa", "mysql-secret-zzzzzzzzzz"],
      references: [uses("ml-pipeline"), uses("mysql")],
      expected: {
        refusal:
          "several Secrets could hold the credentials of mysql-secret (mysql-secret-aaaaaaaaaa, mysql-secret-zzzzzzzzzz) and neither deployment/ml-pipeline nor deployment/mysql references one. Delete the ones not in use, then run the command again",
      },
    },
  ])("$name", ({ existing, references, expected }) => {
    expect(formerSecret("mysql-secret", existing, references)).toEqual(expected);
  });
});

describe("an upgrade across the end of hashed Secret names (1.4.1 -> 1.8.5)", () => {
  it("carries the MySQL credentials in use into the new fixed-name Secret before the defaults could be created", async () => {
    const installed = await sharedRelease("1.4.1");
    const plan = buildUpgradePlan({
      app: PV_APP,
      snapshot: installedSnapshot(installed).build(),
      installed,
      hops: await sharedHops("1.4.1", "1.8.5"),
      strategy: "auto",
      now: NOW,
    });
    const [carry] = stepsOf(plan, "carrySecret");
    expect(carry).toMatchObject({
      from: "mysql-secret-db2h2gbg52",
      to: "mysql-secret",
      namespace: "kubeflow",
    });
    const carryIndex = indexOf(plan, (step) => step.kind === "carrySecret");
    const createIndex = indexOf(
      plan,
      (step) =>
        step.kind === "createIfAbsent" && step.objects.some((o) => o.metadata.name === "mysql-secret"),
    );
    expect(carryIndex).toBeGreaterThanOrEqual(0);
    expect(carryIndex).toBeLessThan(createIndex);
    const pruned = stepsOf(plan, "prune").flatMap((step) => step.objects.map((o) => `${o.kind}/${o.name}`));
    expect(pruned).not.toContain("Secret/mysql-secret-db2h2gbg52");
  });
});

describe("the carried Secret is the one the Deployments use", () => {
  /** 1.4.1's objects with `mysql` reading its password from `secret` (the real 1.4.1 `mysql` reads none). */
  function withMysqlReading(objects: KubeObject[], secret: string): KubeObject[] {
    return objects.map((object) => {
      if (object.kind !== "Deployment" || object.metadata.name !== "mysql") return object;
      const copy = structuredClone(object) as KubeObject & {
        spec: { template: { spec: { containers: { env?: unknown[] }[] } } };
      };
      for (const container of copy.spec.template.spec.containers) {
        container.env = [
          ...(container.env ?? []),
          { name: "MYSQL_ROOT_PASSWORD", valueFrom: { secretKeyRef: { name: secret, key: "password" } } },
        ];
      }
      return copy;
    });
  }

  const cases: {
    name: string;
    mysqlReads: string | null;
    carried: string | null;
    refusal?: string;
  }[] = [
    {
      name: "not the alphabetically first: the one ml-pipeline references",
      mysqlReads: null,
      carried: "mysql-secret-db2h2gbg52",
    },
    {
      name: "the one both reference",
      mysqlReads: "mysql-secret-db2h2gbg52",
      carried: "mysql-secret-db2h2gbg52",
    },
    {
      name: "refused when ml-pipeline and mysql reference different ones",
      mysqlReads: "mysql-secret-aaaaaaaaaa",
      carried: null,
      refusal:
        "deployment/ml-pipeline uses mysql-secret-db2h2gbg52; deployment/mysql uses mysql-secret-aaaaaaaaaa",
    },
  ];

  it.each(cases)("$name", async ({ mysqlReads, carried, refusal }) => {
    const installed = await sharedRelease("1.4.1");
    const objects = mysqlReads ? withMysqlReading(installed.objects, mysqlReads) : installed.objects;
    // A Secret sorting before the one in use, e.g. left by an earlier release or made by hand.
    const snapshot = installedSnapshot({ ...installed, objects })
      .withSecret("mysql-secret-aaaaaaaaaa")
      .build();
    const hops = await sharedHops("1.4.1", "1.8.5");
    const build = () =>
      buildUpgradePlan({ app: PV_APP, snapshot, installed, hops, strategy: "auto", now: NOW });
    if (refusal) {
      expect(build).toThrow(refusal);
      return;
    }
    expect(stepsOf(build(), "carrySecret").map((step) => step.from)).toEqual([carried]);
  });
});
