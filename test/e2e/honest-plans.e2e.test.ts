import { describe, expect, it } from "vitest";
import { appDir } from "../support/app-dir.js";
import { changedObjects, clusterState } from "../support/cluster-state.js";
import { derivedManifests } from "../support/derived-manifests.js";
import { kubectlJson } from "../support/e2e-cluster.js";
import { testNamespace, timed } from "../support/kfp-install.js";
import { schemaProblems } from "../support/published-schemas.js";
import { runCli, SHARED_MANIFESTS } from "../support/run-cli.js";

// Issue 13, honest plans: each object of a plan is classified by a server-side dry run against the live object
// before the plan is shown; `diff` prints the field-level diff; the API server's refusals stop a run before any change.

interface ObjectChange {
  step: string;
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
  change: "create" | "update" | "recreate" | "delete" | "unchanged";
  fields: string[];
  basis: "server" | "previousHop" | "unchecked";
}
interface PlanJson {
  kind: "Plan";
  steps: { kind: string }[];
  changes?: { basis: string[]; objects: ObjectChange[] };
}
interface ManagedField {
  manager: string;
  operation: string;
  time?: string;
  fieldsV1?: unknown;
}
interface Item {
  kind: string;
  metadata: { name: string; namespace?: string; managedFields?: ManagedField[] };
}

const FROM = "2.5.0";
const TO = "2.14.4";

/** kfp-upgrade's server-side-apply entry of each object: its time moves only when an apply changed the object. */
async function appliedBy(namespace: string, changes: ObjectChange[]): Promise<Map<string, string | null>> {
  const state = new Map<string, string | null>();
  const namespaced = await kubectlJson<{ items: Item[] }>([
    "get",
    "deployments,services,configmaps,serviceaccounts,roles,rolebindings,secrets,persistentvolumeclaims",
    "-n",
    namespace,
    "--show-managed-fields",
  ]);
  const cluster = await kubectlJson<{ items: Item[] }>([
    "get",
    "clusterroles,clusterrolebindings,customresourcedefinitions,priorityclasses",
    "--show-managed-fields",
  ]);
  const items = [...namespaced.items, ...cluster.items];
  for (const change of changes) {
    const item = items.find(
      (candidate) =>
        candidate.kind === change.kind &&
        candidate.metadata.name === change.name &&
        (candidate.metadata.namespace ?? undefined) === (change.namespace ?? undefined),
    );
    const entry = item?.metadata.managedFields?.find(
      (field) => field.manager === "kfp-upgrade" && field.operation === "Apply",
    );
    state.set(keyOf(change), item ? JSON.stringify([entry?.time, entry?.fieldsV1]) : null);
  }
  return state;
}

const keyOf = (change: ObjectChange) => `${change.kind}/${change.namespace ?? ""}/${change.name}`;

/**
 * The lock taken and released around a run, and the refused run recorded in kfp-upgrade's history ConfigMap:
 * bookkeeping, not a change of KFP.
 */
const withoutBookkeeping = (keys: string[]) =>
  keys.filter((key) => !key.startsWith("Lease/") && !key.endsWith("/kfp-upgrade-history"));

describe("honest plans", () => {
  it("classifies an upgrade by a server-side dry run, diffs it, refuses what the API rejects, and re-plans 0 changes", async () => {
    await timed("honest plans (deploy 2.5.0, diff, refused bundle, upgrade 2.14.4, re-run)", async () => {
      const namespace = testNamespace("honest");
      const dir = appDir();
      const deploy = await runCli(
        ["deploy", "--tag", FROM, "--manifests", SHARED_MANIFESTS, "-n", namespace],
        {
          appDir: dir,
        },
      );
      expect(deploy.exitCode, deploy.stderr).toBe(0);
      // A first install: every object of its namespace is created. Cluster-scoped objects (CRDs, cluster roles) may
      // exist already: other installs of the same control plane share them.
      const deployPlan = deploy.events.find((event) => event.type === "plan")?.plan as PlanJson | undefined;
      const deployed = (deployPlan?.changes?.objects ?? []).filter(
        (change) => change.namespace === namespace,
      );
      expect(deployed.length).toBeGreaterThan(50);
      expect(new Set(deployed.map((change) => change.change))).toEqual(new Set(["create"]));

      // `diff`: the changed image fields of the upgrade, as a unified diff; nothing changes; --exit-code says 2.
      const beforeDiff = await clusterState([namespace]);
      const diff = await runCli(
        ["diff", "--tag", TO, "--manifests", SHARED_MANIFESTS, "--exit-code", "--skip-inventory"],
        { appDir: dir, machine: false },
      );
      expect(diff.exitCode, diff.stderr).toBe(2);
      const name = `apps.v1.Deployment.${namespace}.ml-pipeline`;
      expect(diff.stdout).toContain(`--- live/${name}\n+++ planned/${name}\n`);
      expect(diff.stdout).toMatch(/^- +image: ghcr\.io\/kubeflow\/kfp-api-server:2\.5\.0$/m);
      expect(diff.stdout).toMatch(/^\+ +image: ghcr\.io\/kubeflow\/kfp-api-server:2\.14\.4$/m);
      expect(diff.stdout).not.toMatch(/resourceVersion|managedFields/);
      expect(changedObjects(beforeDiff, await clusterState([namespace]))).toEqual([]);
      const diffJson = await runCli(
        ["diff", "--tag", TO, "--manifests", SHARED_MANIFESTS, "--skip-inventory", "-o", "json"],
        { appDir: dir, machine: false },
      );
      expect(diffJson.exitCode, diffJson.stderr).toBe(0);
      expect(schemaProblems("diff", diffJson.json)).toEqual([]);
      const apiServer = (diffJson.json as { objects: ObjectChange[] }).objects.find(
        (object) => object.kind === "Deployment" && object.name === "ml-pipeline",
      );
      expect(apiServer).toMatchObject({ change: "update", basis: "server" });
      expect(apiServer?.fields).toContain("spec.template.spec.containers[name=ml-pipeline-api-server].image");

      // A bundle with objects the API server rejects: refused before anything changes, naming each object.
      const rejected = derivedManifests({
        [FROM]: "shared",
        [TO]: {
          objects: (object) => {
            if (object.kind === "Service" && object.metadata?.name === "ml-pipeline") {
              (object.spec as { ports: { port: number }[] }).ports[0] = { port: 70000 };
            }
            if (object.kind === "Deployment" && object.metadata?.name === "ml-pipeline-ui") {
              (object.spec as { replicas: number }).replicas = -1;
            }
          },
        },
      });
      const beforeRefusal = await clusterState([namespace]);
      const refused = await runCli(["upgrade", "--tag", TO, "--manifests", rejected, "--skip-inventory"], {
        appDir: dir,
      });
      expect(refused.exitCode, refused.stderr).toBe(4);
      expect(refused.result).toMatchObject({ ok: false, outcome: "refused" });
      console.log(`[honest-plans] the refusal:\n${refused.stderr}`);
      expect(refused.stderr).toContain("server-side dry run; nothing was changed");
      expect(refused.stderr).toMatch(new RegExp(`service/ml-pipeline -n ${namespace}.*70000`));
      expect(refused.stderr).toMatch(new RegExp(`deployment/ml-pipeline-ui -n ${namespace}.*replicas`));
      expect(withoutBookkeeping(changedObjects(beforeRefusal, await clusterState([namespace])))).toEqual([]);
      const refusedDryRun = await runCli(
        ["upgrade", "--tag", TO, "--manifests", rejected, "--skip-inventory", "--dry-run=server"],
        { appDir: dir },
      );
      expect(refusedDryRun.exitCode, refusedDryRun.stderr).toBe(4);

      // The upgrade's plan, classified read-only; the run that follows shows the same classification, and what
      // it does matches it: kfp-upgrade's apply entry moves on every object classified as changed, on no other.
      const planned = await runCli(
        ["upgrade", "--tag", TO, "--manifests", SHARED_MANIFESTS, "--skip-inventory", "--dry-run=server"],
        { appDir: dir },
      );
      expect(planned.exitCode, planned.stderr).toBe(0);
      const plan = planned.json as PlanJson;
      const changes = (plan.changes?.objects ?? []).filter((change) => change.basis === "server");
      const count = (kind: ObjectChange["change"]) =>
        changes.filter((change) => change.change === kind).length;
      expect(count("update")).toBeGreaterThan(0);
      expect(count("unchanged")).toBeGreaterThan(0);
      // The same plan as a person reads it: changed objects with their fields, the count line from the classification.
      const text = await runCli(
        ["upgrade", "--tag", TO, "--manifests", SHARED_MANIFESTS, "--skip-inventory", "--dry-run=server"],
        { appDir: dir, machine: false },
      );
      expect(text.exitCode, text.stderr).toBe(0);
      console.log(`[honest-plans] the --dry-run=server plan:\n${text.stdout}`);
      expect(text.stdout).toMatch(
        new RegExp(
          `^  ~ deployment/ml-pipeline -n ${namespace}: .*spec\\.template\\.spec\\.containers\\[name=ml-pipeline-api-server\\]\\.image`,
          "m",
        ),
      );
      expect(text.stdout).toMatch(/^ {2}= \d+ unchanged objects? \(-v lists them\)$/m);
      const all = plan.changes?.objects ?? [];
      const countLine =
        /Plan: (\d+) to create, (\d+) to update, (\d+) to recreate, (\d+) to delete, (\d+) unchanged; \d+ waits\./.exec(
          text.stdout,
        );
      expect(countLine?.[5]).toBe(String(all.filter((change) => change.change === "unchanged").length));
      expect(Number(countLine?.[2])).toBeGreaterThanOrEqual(
        all.filter((change) => change.change === "update").length,
      );
      // Plain --dry-run counts steps: every object applied again is an update, changed or not.
      const client = await runCli(
        ["upgrade", "--tag", TO, "--manifests", SHARED_MANIFESTS, "--skip-inventory", "--dry-run"],
        { appDir: dir, machine: false },
      );
      expect(client.exitCode, client.stderr).toBe(0);
      const clientUpdates =
        /Plan: \d+ to create, (\d+) to update, \d+ to recreate, \d+ to delete; \d+ waits\./.exec(
          client.stdout,
        );
      expect(Number(clientUpdates?.[1])).toBeGreaterThan(Number(countLine?.[2]));
      const applied = await appliedBy(namespace, changes);
      const upgrade = await runCli(
        ["upgrade", "--tag", TO, "--manifests", SHARED_MANIFESTS, "--skip-inventory"],
        {
          appDir: dir,
        },
      );
      expect(upgrade.exitCode, upgrade.stderr).toBe(0);
      const shown = upgrade.events.find((event) => event.type === "plan")?.plan as PlanJson | undefined;
      expect(shown?.changes?.objects).toEqual(plan.changes?.objects);
      const after = await appliedBy(namespace, changes);
      const mismatches = changes.flatMap((change) => {
        const key = keyOf(change);
        const was = applied.get(key);
        const now = after.get(key);
        const ok =
          change.change === "create"
            ? was === null && now !== null
            : change.change === "delete"
              ? now === null
              : change.change === "unchanged"
                ? now === was
                : now !== null && now !== was;
        return ok ? [] : [`${change.change} ${key}: ${was} -> ${now}`];
      });
      expect(mismatches).toEqual([]);
      // The run reused the classification: no-op applies not made, dry runs of unchanged objects not sent again.
      const ends = upgrade.events.flatMap((event) =>
        event.type === "step-end" && typeof event.message === "string" ? [event.message] : [],
      );
      const skipped = ends
        .map((message) => /, (\d+) unchanged \(the plan's dry run of each was a no-op/.exec(message)?.[1])
        .reduce((sum, n) => sum + Number(n ?? 0), 0);
      expect(skipped).toBeGreaterThan(0);
      expect(skipped).toBeLessThanOrEqual(changes.filter((change) => change.change === "unchanged").length);
      expect(ends.some((message) => /\d+ unchanged since the plan's own dry run/.test(message))).toBe(true);

      // The same upgrade again: nothing to change, and --exit-code says so (0).
      const again = await runCli(
        ["upgrade", "--tag", TO, "--manifests", SHARED_MANIFESTS, "--dry-run=server", "--exit-code"],
        { appDir: dir, machine: false },
      );
      expect(again.exitCode, again.stderr).toBe(0);
      expect(again.stdout).toContain("No changes.");
      const diffAgain = await runCli(["diff", "--tag", TO, "--manifests", SHARED_MANIFESTS, "--exit-code"], {
        appDir: dir,
        machine: false,
      });
      expect(diffAgain.exitCode, diffAgain.stderr).toBe(0);
      expect(diffAgain.stdout).toContain(`No changes`);
    });
  }, 600_000);
});
