import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import * as k8s from "@kubernetes/client-node";
import yaml from "js-yaml";
import { afterEach, describe, expect, it, onTestFinished, vi } from "vitest";
import { ConfigError } from "../../../src/errors.js";
import { createKubeClient } from "../../../src/kube/create-kube-client.js";
import { loadKubeConfig } from "../../../src/kube/load-kube-config.js";

function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "kfp-kubeconfig-"));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

interface Kubeconfig {
  clusters?: { name: string; server: string; ca?: string }[];
  users?: { name: string; token: string }[];
  contexts?: { name: string; cluster: string; user: string; namespace?: string }[];
  current?: string;
}

function writeKubeconfig(dir: string, name: string, config: Kubeconfig): string {
  const file = path.join(dir, name);
  const document = {
    apiVersion: "v1",
    kind: "Config",
    clusters: (config.clusters ?? []).map((cluster) => ({
      name: cluster.name,
      cluster: { server: cluster.server, ...(cluster.ca ? { "certificate-authority": cluster.ca } : {}) },
    })),
    users: (config.users ?? []).map((user) => ({ name: user.name, user: { token: user.token } })),
    contexts: (config.contexts ?? []).map((context) => ({
      name: context.name,
      context: { cluster: context.cluster, user: context.user, namespace: context.namespace },
    })),
    "current-context": config.current ?? "",
  };
  writeFileSync(file, yaml.dump(document));
  return file;
}

function twoFiles(dir: string): [string, string] {
  const first = writeKubeconfig(dir, "first", {
    clusters: [{ name: "shared", server: "https://one.example:6443" }],
    users: [{ name: "alice", token: "t-alice" }],
    contexts: [{ name: "kfp-prod", cluster: "shared", user: "alice", namespace: "kubeflow" }],
    current: "kfp-prod",
  });
  const second = writeKubeconfig(dir, "second", {
    clusters: [
      { name: "shared", server: "https://shadowed.example:6443" },
      { name: "dev", server: "https://two.example:6443" },
    ],
    users: [{ name: "bob", token: "t-bob" }],
    contexts: [{ name: "kfp-dev", cluster: "dev", user: "bob" }],
    current: "kfp-dev",
  });
  return [first, second];
}

function configErrorOf(action: () => unknown): ConfigError {
  let thrown: unknown;
  try {
    action();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(ConfigError);
  return thrown as ConfigError;
}

afterEach(() => {
  vi.unstubAllEnvs();
});

describe("loadKubeConfig", () => {
  it("merges every KUBECONFIG file like kubectl: first definition and first current-context win", () => {
    const dir = tempDir();
    const [first, second] = twoFiles(dir);
    const loaded = loadKubeConfig(k8s, {
      env: { KUBECONFIG: `${first}${path.delimiter}${second}` },
      homeDir: dir,
    });
    expect(loaded).toMatchObject({
      context: "kfp-prod",
      namespace: "kubeflow",
      server: "https://one.example:6443",
      user: "alice",
      sources: [first, second],
    });
    expect(loaded.kubeConfig.getContexts().map((context) => context.name)).toEqual(["kfp-prod", "kfp-dev"]);
  });

  it("reaches a context defined only in the second file with --context", () => {
    const dir = tempDir();
    const [first, second] = twoFiles(dir);
    const loaded = loadKubeConfig(k8s, {
      env: { KUBECONFIG: `${first}${path.delimiter}${second}` },
      context: "kfp-dev",
      homeDir: dir,
    });
    expect(loaded).toMatchObject({
      context: "kfp-dev",
      namespace: null,
      server: "https://two.example:6443",
      user: "bob",
    });
    expect(loaded.kubeConfig.getCurrentContext()).toBe("kfp-dev");
  });

  it("does so because client-node's loadFromDefault does not merge like kubectl", () => {
    const dir = tempDir();
    const [first, second] = twoFiles(dir);
    vi.stubEnv("KUBECONFIG", `${first}${path.delimiter}${second}`);
    expect(() => new k8s.KubeConfig().loadFromDefault()).toThrow("Duplicate cluster: shared");
  });

  it("skips KUBECONFIG entries that do not exist", () => {
    const dir = tempDir();
    const [first] = twoFiles(dir);
    const missing = path.join(dir, "missing");
    const loaded = loadKubeConfig(k8s, {
      env: { KUBECONFIG: `${missing}${path.delimiter}${first}` },
      homeDir: dir,
    });
    expect(loaded.sources).toEqual([first]);
  });

  it("refuses a KUBECONFIG in which no file exists", () => {
    const dir = tempDir();
    const error = configErrorOf(() =>
      loadKubeConfig(k8s, { env: { KUBECONFIG: path.join(dir, "nope") }, homeDir: dir }),
    );
    expect(error.code).toBe("NO_KUBECONFIG");
    expect(error.message).toBe(`none of the files in KUBECONFIG exist: ${path.join(dir, "nope")}`);
  });

  it("names the available contexts when --context is unknown", () => {
    const dir = tempDir();
    const [first, second] = twoFiles(dir);
    const error = configErrorOf(() =>
      loadKubeConfig(k8s, {
        env: { KUBECONFIG: `${first}${path.delimiter}${second}` },
        context: "kfp-staging",
        homeDir: dir,
      }),
    );
    expect(error.code).toBe("UNKNOWN_CONTEXT");
    expect(error.exitCode).toBe(3);
    expect(error.message).toBe(`context "kfp-staging" is not in ${first}, ${second}`);
    expect(error.hint).toBe("Available contexts: kfp-prod, kfp-dev.");
  });

  it("prefers --kubeconfig over KUBECONFIG", () => {
    const dir = tempDir();
    const [first, second] = twoFiles(dir);
    const loaded = loadKubeConfig(k8s, { kubeconfig: second, env: { KUBECONFIG: first }, homeDir: dir });
    expect(loaded).toMatchObject({ context: "kfp-dev", sources: [second] });
  });

  it("refuses a --kubeconfig that does not exist", () => {
    const dir = tempDir();
    const error = configErrorOf(() =>
      loadKubeConfig(k8s, { kubeconfig: path.join(dir, "absent"), env: {}, homeDir: dir }),
    );
    expect(error.code).toBe("KUBECONFIG_NOT_FOUND");
    expect(error.message).toBe(`kubeconfig ${path.join(dir, "absent")} does not exist`);
  });

  it("falls back to ~/.kube/config", () => {
    const home = tempDir();
    mkdirSync(path.join(home, ".kube"));
    const file = writeKubeconfig(path.join(home, ".kube"), "config", {
      clusters: [{ name: "c", server: "https://home.example:6443", ca: "ca.crt" }],
      users: [{ name: "u", token: "t" }],
      contexts: [{ name: "home", cluster: "c", user: "u" }],
      current: "home",
    });
    const loaded = loadKubeConfig(k8s, { env: {}, homeDir: home });
    expect(loaded).toMatchObject({ context: "home", server: "https://home.example:6443", sources: [file] });
    // Relative certificate paths are relative to the kubeconfig file, as in kubectl.
    expect(loaded.kubeConfig.getCurrentCluster()?.caFile).toBe(path.join(home, ".kube", "ca.crt"));
  });

  it("uses the in-cluster service account as the last resort", () => {
    const root = tempDir();
    const accountDir = path.join(root, "var/run/secrets/kubernetes.io/serviceaccount");
    mkdirSync(accountDir, { recursive: true });
    writeFileSync(path.join(accountDir, "token"), "in-cluster-token");
    writeFileSync(path.join(accountDir, "namespace"), "kubeflow\n");
    const loaded = loadKubeConfig(k8s, {
      env: { KUBERNETES_SERVICE_HOST: "10.96.0.1", KUBERNETES_SERVICE_PORT: "443" },
      homeDir: root,
      inClusterRoot: root,
    });
    expect(loaded).toMatchObject({
      context: null,
      namespace: "kubeflow",
      server: "https://10.96.0.1:443",
      user: null,
      sources: ["in-cluster"],
    });
    expect(process.env.KUBERNETES_SERVICE_HOST).toBeUndefined();
  });

  it("explains what to do when there is no kubeconfig at all", () => {
    const home = tempDir();
    const error = configErrorOf(() => loadKubeConfig(k8s, { env: {}, homeDir: home }));
    expect(error.code).toBe("NO_KUBECONFIG");
    expect(error.message).toBe("no kubeconfig found and not running inside a cluster");
    expect(error.hint).toBe(
      "Pass --kubeconfig PATH, set KUBECONFIG, or create ~/.kube/config (e.g. with your cloud's get-credentials command).",
    );
  });

  it("asks for --context when no current-context is set", () => {
    const dir = tempDir();
    const file = writeKubeconfig(dir, "config", {
      clusters: [{ name: "c", server: "https://x.example" }],
      users: [{ name: "u", token: "t" }],
      contexts: [{ name: "only", cluster: "c", user: "u" }],
    });
    const error = configErrorOf(() => loadKubeConfig(k8s, { kubeconfig: file, env: {}, homeDir: dir }));
    expect(error.code).toBe("NO_CONTEXT");
    expect(error.hint).toBe("Pass --context NAME; available: only.");
  });

  it("reports a context whose cluster is missing", () => {
    const dir = tempDir();
    const file = writeKubeconfig(dir, "config", {
      users: [{ name: "u", token: "t" }],
      contexts: [{ name: "broken", cluster: "gone", user: "u" }],
      current: "broken",
    });
    const error = configErrorOf(() => loadKubeConfig(k8s, { kubeconfig: file, env: {}, homeDir: dir }));
    expect(error.code).toBe("UNKNOWN_CLUSTER");
    expect(error.message).toBe(
      `context "broken" names cluster "gone", which is not defined (or is invalid) in ${file}`,
    );
  });

  it("reports a file that is not YAML", () => {
    const dir = tempDir();
    const file = path.join(dir, "config");
    writeFileSync(file, "clusters: [unclosed");
    const error = configErrorOf(() => loadKubeConfig(k8s, { kubeconfig: file, env: {}, homeDir: dir }));
    expect(error.code).toBe("KUBECONFIG_INVALID");
    expect(error.message).toMatch(new RegExp(`^cannot read kubeconfig ${file}: `));
  });

  it.each([
    ["", "the file is empty"],
    ["just a string\n", "expected a YAML mapping with clusters, contexts and users, found a string"],
    ["- a\n- b\n", "expected a YAML mapping with clusters, contexts and users, found a list"],
    ["clusters: 5\ncurrent-context: x\n", "clusters: expected a list"],
    ["contexts: {a: 1}\n", "contexts: expected a list"],
    ["current-context: [1]\n", "current-context: expected a context name"],
  ])(
    "a malformed kubeconfig (%j) is a config error naming the file and the problem, never a TypeError",
    (text, problem) => {
      const dir = tempDir();
      const file = path.join(dir, "config");
      writeFileSync(file, text);
      const error = configErrorOf(() => loadKubeConfig(k8s, { kubeconfig: file, env: {}, homeDir: dir }));
      expect(error.code).toBe("KUBECONFIG_INVALID");
      expect(error.message).toBe(`kubeconfig ${file} is not a kubeconfig: ${problem}`);
      expect(error.hint).toContain("kubectl config view");
    },
  );
});

describe("createKubeClient", () => {
  it("takes the namespace from --namespace, else the context, else default", async () => {
    const dir = tempDir();
    const [first, second] = twoFiles(dir);
    const env = { KUBECONFIG: `${first}${path.delimiter}${second}` };
    const fromContext = await createKubeClient({ env, homeDir: dir });
    const fromFlag = await createKubeClient({ env, homeDir: dir, namespace: "kfp" });
    const fallback = await createKubeClient({ env, homeDir: dir, context: "kfp-dev" });
    expect(fromContext).toMatchObject({
      context: "kfp-prod",
      defaultNamespace: "kubeflow",
      cluster: "https://one.example:6443",
      user: "alice",
    });
    expect(fromFlag.defaultNamespace).toBe("kfp");
    expect(fallback.defaultNamespace).toBe("default");
    expect(fromContext.requestCount()).toBe(0);
  });
});
