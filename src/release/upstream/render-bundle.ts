import { stat } from "node:fs/promises";
import path from "node:path";
import { execa } from "execa";
import { ConfigError } from "../../errors.js";

/** One kustomization of `manifests/kustomize` and the bundle file it renders to. */
export interface RenderTarget {
  path: string;
  file: string;
}

/**
 * What each era ships (../shared/kfp-manifests/README.md): every release from 0.5.1 has `cluster-scoped-resources`
 * and `env/platform-agnostic`; 2.15.0 adds `env/platform-agnostic-minio`. Older kustomize trees (0.1.26–0.4) only had
 * `env/dev` or a bare `base`, which then hold the whole install; the first one present is used.
 */
const NAMESPACED = ["env/platform-agnostic", "env/dev", "base"];

export async function renderTargets(kustomizeRoot: string): Promise<RenderTarget[]> {
  const present = async (relative: string) =>
    (await stat(path.join(kustomizeRoot, relative, "kustomization.yaml")).catch(() => null)) !== null;
  const targets: RenderTarget[] = [];
  if (await present("cluster-scoped-resources"))
    targets.push({ path: "cluster-scoped-resources", file: "cluster-scoped.yaml" });
  for (const candidate of NAMESPACED) {
    if (!(await present(candidate))) continue;
    targets.push({ path: candidate, file: `${path.basename(candidate)}.yaml` });
    if (candidate === "env/platform-agnostic" && (await present("env/platform-agnostic-minio")))
      targets.push({ path: "env/platform-agnostic-minio", file: "platform-agnostic-minio.yaml" });
    break;
  }
  if (!targets.some((target) => target.path !== "cluster-scoped-resources")) {
    throw new ConfigError(
      "RELEASE_LAYOUT_UNKNOWN",
      `${kustomizeRoot} has none of ${NAMESPACED.map((p) => `${p}/kustomization.yaml`).join(", ")}`,
      { hint: "Render the release by hand with kubectl kustomize and pass the directory with --manifests" },
    );
  }
  return targets;
}

/**
 * `kubectl kustomize <dir>`: the kustomize built into kubectl, which every machine that runs kfp-upgrade already has,
 * so no extra package or binary is needed. Arguments go as an array (no shell). Its stderr (deprecation notes) is
 * only shown when the build fails.
 */
export async function renderKustomization(dir: string, kubectl = "kubectl"): Promise<string> {
  const result = await execa(kubectl, ["kustomize", dir], { reject: false, stripFinalNewline: false });
  if (result.failed || result.exitCode !== 0) {
    const missing = (result as { code?: string }).code === "ENOENT";
    throw new ConfigError(
      missing ? "KUBECTL_MISSING" : "RELEASE_RENDER_FAILED",
      missing
        ? `kubectl was not found on PATH; it renders release bundles (kubectl kustomize)`
        : `kubectl kustomize ${dir} failed (exit ${result.exitCode ?? "?"})`,
      {
        details: String(result.stderr ?? "")
          .split("\n")
          .filter((line) => line.trim() !== "")
          .slice(-10),
        hint: missing
          ? "Install kubectl, or render the bundles elsewhere (kfp-upgrade release pull) and pass --manifests"
          : "Remote bases (KFP 2.14+ pulls Argo from github.com) need network access; otherwise run `kfp-upgrade release pull` on a machine that has it",
      },
    );
  }
  return String(result.stdout);
}
