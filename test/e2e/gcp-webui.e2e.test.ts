import { readdirSync, readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { appDir, FIXTURES_DIR } from "../support/app-dir.js";
import { createHostPathPv, kubectl, kubectlJson, uniqueName } from "../support/e2e-cluster.js";
import { type GcloudStandIn, startGcloudStandIn } from "../support/gcloud-stand-in.js";
import { resultBindings, seedDataDirs, stepKinds, testNamespace, timed } from "../support/kfp-install.js";
import { serviceAccountKubeconfig } from "../support/kubeconfig-for.js";
import { mysqlVersionOf } from "../support/mysql-data.js";
import { runCli, SHARED_MANIFESTS } from "../support/run-cli.js";
import { type LocalGitRepo, webUiRepo } from "../support/web-ui-repo.js";

// Issue 11, the web-UI deployment path. The old procedure: `gcloud source repos clone ${PROJECT}-kubeflow-config`,
// then `kubectl create clusterrolebinding admin-binding --clusterrole=cluster-admin --user=$(gcloud config get-value
// account)`, then the upgrade. Here the REAL gcloud clones from the stand-in's Source Repositories API (a local git
// repository behind a file:// URL), and the upgrade of a GCP app run by a user who lacks rights plans the binding.
//
// On GKE the Kubernetes user name of a Google account is its e-mail, the same string `gcloud config get-value account`
// prints. The local control plane has no Google accounts: the restricted user is a ServiceAccount, and the gcloud
// configuration names its user name (`system:serviceaccount:NS:NAME`) as the account, so the binding's User subject
// matches it exactly as it matches an e-mail on GKE. What this cannot show: GKE's IAM authorizer (the reason a project
// owner may create the binding at all); the restricted user is given create on clusterrolebindings and bind on
// clusterrole cluster-admin through RBAC instead.

const PROJECT = "my-kf-project"; // the fixture's env.sh PROJECT
const ZONE = "us-east1-d";
const REPO = `${PROJECT}-kubeflow-config`;

let standIn: GcloudStandIn;
let repo: LocalGitRepo;
let work: string;

beforeAll(async () => {
  standIn = await startGcloudStandIn({ project: PROJECT });
  repo = await webUiRepo({ "kf-demo": "ksonnet-kfapp-gcp" });
  standIn.addSourceRepo({ name: REPO, gitDir: repo.dir });
  work = await mkdtemp(path.join(tmpdir(), "kfp-webui-"));
}, 120_000);
afterAll(async () => {
  await standIn?.close();
  repo?.remove();
  if (work) await rm(work, { recursive: true, force: true });
  await kubectl(["delete", "clusterrolebinding", "admin-binding", "--ignore-not-found"]).catch(() => "");
});

describe("the web-UI deployment path with the real gcloud", () => {
  it("app clone: clones PROJECT-kubeflow-config, reads the deployment's KFAPP in it, prints the next command", async () => {
    const config = await standIn.configDir({ accessTokenFile: true });
    const dir = path.join(work, "clone");
    standIn.requests.length = 0;
    const clone = await timed("webui: app clone", () =>
      runCli(["app", "clone", "--project", PROJECT, "--dir", dir], {
        appDir: work,
        env: { CLOUDSDK_CONFIG: config },
      }),
    );
    expect(clone.exitCode, clone.stderr).toBe(0);
    const answer = JSON.parse(clone.stdout) as Record<string, unknown>;
    expect(answer).toMatchObject({
      repo: REPO,
      project: PROJECT,
      dir,
      kfappDir: path.join(dir, "kf-demo"),
      kfapps: ["kf-demo"],
      mirror: null,
      next: expect.stringMatching(/^kfp-upgrade --app-dir \S*kf-demo upgrade --dry-run$/),
    });
    expect(answer.notes).toEqual(
      expect.arrayContaining([expect.stringMatching(/^Imported the legacy ksonnet KFAPP from /)]),
    );
    // gcloud asked the Source Repositories API for the repository (kfp-upgrade's describe, then gcloud's own clone).
    expect(standIn.requestLines()).toEqual([
      `GET /v1/projects/${PROJECT}/repos/${REPO}`,
      `GET /v1/projects/${PROJECT}/repos/${REPO}`,
    ]);
    // The clone is the repository's tree, untouched; nothing else was written beside it.
    const file = "gcp_config/storage-kubeflow.yaml";
    expect(readFileSync(path.join(dir, "kf-demo", file), "utf8")).toBe(
      readFileSync(path.join(FIXTURES_DIR, "ksonnet-kfapp-gcp", file), "utf8"),
    );
    expect(readdirSync(work).filter((name) => name.includes("clone"))).toEqual(["clone"]);

    // The imported KFAPP is what every command reads there: params list shows the GCP platform.
    const params = await runCli(["params", "list"], { appDir: path.join(dir, "kf-demo") });
    expect(params.exitCode, params.stderr).toBe(0);
    expect(params.stdout).toContain(PROJECT);

    // A second clone into the same directory is refused before gcloud is asked (exit 2), as text a user reads.
    standIn.requests.length = 0;
    const again = await runCli(["app", "clone", "--project", PROJECT, "--dir", dir], {
      appDir: work,
      machine: false,
      env: { CLOUDSDK_CONFIG: config },
    });
    expect(again.exitCode).toBe(2);
    expect(again.stderr).toContain(`${dir} is not empty; nothing was changed`);
    expect(standIn.requests).toEqual([]);

    // A project gcloud cannot find (a wrong --project): exit 10, the hint names the command that lists projects,
    // and nothing is left behind. (A project without the repository is GCP_SOURCE_REPO_MISSING: unit-tested.)
    const wrong = await runCli(
      ["app", "clone", "--project", "other-project", "--dir", path.join(work, "o")],
      {
        appDir: work,
        machine: false,
        env: { CLOUDSDK_CONFIG: config },
      },
    );
    expect(wrong.exitCode).toBe(10);
    expect(wrong.stderr).toContain(
      'GCP project "other-project" does not exist or is not visible to this account; nothing was changed',
    );
    expect(wrong.stderr).toContain("gcloud projects list");
    expect(wrong.stderr).toContain("pass it with --project");
    expect(readdirSync(work).filter((name) => name.startsWith("o") || name.startsWith(".o"))).toEqual([]);
  }, 300_000);

  it("upgrade by a user who lacks cluster rights plans admin-binding for the gcloud account first, then runs", async () => {
    await timed("webui: admin-binding upgrade", async () => {
      const namespace = testNamespace("webui");
      const dir = appDir({
        "kfp-app.yaml": [
          "apiVersion: kfp-upgrade/v1",
          "kind: KfpApp",
          `namespace: ${namespace}`,
          "platform:",
          "  type: gcp",
          `  project: ${PROJECT}`,
          `  zone: ${ZONE}`,
          "",
        ].join("\n"),
      });
      const mysqlPv = await createHostPathPv(uniqueName("webui-mysql"), { capacity: "20Gi" });
      const minioPv = await createHostPathPv(uniqueName("webui-minio"), { capacity: "20Gi" });
      await seedDataDirs(mysqlPv.path, minioPv.path, { mysqlVersion: mysqlVersionOf("2.5.0") });
      const deploy = await timed("webui: deploy 2.5.0 (admin)", () =>
        runCli(
          [
            "deploy",
            "--tag",
            "2.5.0",
            "--mysql-pv",
            mysqlPv.name,
            "--minio-pv",
            minioPv.name,
            "--manifests",
            SHARED_MANIFESTS,
          ],
          { appDir: dir },
        ),
      );
      expect(deploy.exitCode, deploy.stderr).toBe(0);

      // The restricted user: reads everything, may take the lock and write the history in the namespace, and may
      // create the binding (create clusterrolebindings, bind clusterrole cluster-admin), nothing else.
      const account = "kfp-operator";
      const user = `system:serviceaccount:${namespace}:${account}`;
      const label = { "e2e.kfp-upgrade.dev/owner": namespace };
      const role = uniqueName("webui-restricted");
      onTestFinished(async () => {
        await kubectl([
          "delete",
          "clusterrolebinding,clusterrole",
          "-l",
          `e2e.kfp-upgrade.dev/owner=${namespace}`,
        ]);
      });
      await kubectl(["create", "-f", "-"], {
        input: JSON.stringify({
          apiVersion: "v1",
          kind: "List",
          items: [
            { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: account, namespace } },
            {
              apiVersion: "rbac.authorization.k8s.io/v1",
              kind: "ClusterRole",
              metadata: { name: role, labels: label },
              rules: [
                { apiGroups: ["*"], resources: ["*"], verbs: ["get", "list", "watch"] },
                {
                  apiGroups: ["rbac.authorization.k8s.io"],
                  resources: ["clusterrolebindings"],
                  verbs: ["create"],
                },
                {
                  apiGroups: ["rbac.authorization.k8s.io"],
                  resources: ["clusterroles"],
                  verbs: ["bind"],
                  resourceNames: ["cluster-admin"],
                },
              ],
            },
            {
              apiVersion: "rbac.authorization.k8s.io/v1",
              kind: "ClusterRoleBinding",
              metadata: { name: role, labels: label },
              roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: role },
              subjects: [{ kind: "ServiceAccount", name: account, namespace }],
            },
            {
              apiVersion: "rbac.authorization.k8s.io/v1",
              kind: "Role",
              metadata: { name: "run-lock-and-history", namespace },
              rules: [
                { apiGroups: ["coordination.k8s.io"], resources: ["leases"], verbs: ["*"] },
                { apiGroups: [""], resources: ["configmaps"], verbs: ["get", "create", "update"] },
              ],
            },
            {
              apiVersion: "rbac.authorization.k8s.io/v1",
              kind: "RoleBinding",
              metadata: { name: "run-lock-and-history", namespace },
              roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "run-lock-and-history" },
              subjects: [{ kind: "ServiceAccount", name: account, namespace }],
            },
          ],
        }),
      });
      const restricted = await serviceAccountKubeconfig(work, namespace, account);
      const config = await standIn.configDir({ account: user });
      const asRestricted = { appDir: dir, kubeconfigPath: restricted, env: { CLOUDSDK_CONFIG: config } };
      const upgrade = ["upgrade", "--tag", "2.14.4", "--manifests", SHARED_MANIFESTS];
      expect(await kubectl(["get", "clusterrolebinding", "admin-binding", "--ignore-not-found"])).toBe("");

      // The dry run shows the binding as the first step, for the account gcloud reports, and changes nothing.
      standIn.requests.length = 0;
      const dry = await runCli([...upgrade, "--dry-run"], asRestricted);
      expect(dry.exitCode, dry.stderr).toBe(0);
      const plan = dry.json as {
        steps: { kind: string; user?: string; missing?: string[] }[];
        notes: string[];
      };
      expect(plan.steps[0]).toMatchObject({ kind: "ensureAdminBinding", user, name: "admin-binding" });
      expect(plan.steps[0]?.missing).toEqual(
        expect.arrayContaining([expect.stringMatching(/^(create|patch) \S+ /)]),
      );
      expect(plan.steps.filter((step) => step.kind === "ensureAdminBinding")).toHaveLength(1);
      expect(plan.notes.join("\n")).toContain("project owner (or roles/container.admin)");
      const text = await runCli([...upgrade, "--dry-run", "--no-backup"], {
        ...asRestricted,
        machine: false,
      });
      expect(text.exitCode, text.stderr).toBe(0);
      expect(text.stdout).toContain(
        `+ clusterrolebinding/admin-binding: cluster-admin for user ${user} (only if absent;`,
      );
      expect(await kubectl(["get", "clusterrolebinding", "admin-binding", "--ignore-not-found"])).toBe("");
      // gcloud read its account from its configuration: no API was asked.
      expect(standIn.requests).toEqual([]);

      const run = await timed("webui: upgrade 2.5.0 -> 2.14.4 (restricted user)", () =>
        runCli(upgrade, asRestricted),
      );
      expect(run.exitCode, run.stderr).toBe(0);
      expect(run.result).toMatchObject({ ok: true, outcome: "succeeded" });
      expect(Object.entries(stepKinds(run))[0]).toEqual([
        expect.stringMatching(/01-ensureAdminBinding$/),
        "ensureAdminBinding",
      ]);
      expect(resultBindings(run)).toEqual({ "mysql-pv-claim": mysqlPv.uid, "minio-pvc": minioPv.uid });
      const binding = await kubectlJson<{
        metadata: { uid: string };
        roleRef: { kind: string; name: string };
        subjects: { kind: string; name: string }[];
      }>(["get", "clusterrolebinding", "admin-binding"]);
      expect(binding.roleRef).toMatchObject({ kind: "ClusterRole", name: "cluster-admin" });
      expect(binding.subjects).toEqual([{ apiGroup: "rbac.authorization.k8s.io", kind: "User", name: user }]);

      // Now the user has the rights: the next plan has no binding step, and the binding is left as it is.
      const after = await runCli([...upgrade, "--dry-run"], asRestricted);
      expect(after.exitCode, after.stderr).toBe(0);
      expect((after.json as { steps: { kind: string }[] }).steps.map((s) => s.kind)).not.toContain(
        "ensureAdminBinding",
      );
      const still = await kubectlJson<{ metadata: { uid: string } }>([
        "get",
        "clusterrolebinding",
        "admin-binding",
      ]);
      expect(still.metadata.uid).toBe(binding.metadata.uid);
      await kubectl([
        "delete",
        "clusterrolebinding,clusterrole",
        "-l",
        `e2e.kfp-upgrade.dev/owner=${namespace}`,
      ]);
    });
  }, 900_000);
});
