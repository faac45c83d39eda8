import { execFile, spawn } from "node:child_process";
import { createWriteStream } from "node:fs";
import { access, copyFile, mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import {
  binaryCacheDir,
  COMPONENTS,
  type Component,
  type ComponentName,
  componentVersion,
} from "./component-versions.js";

const execFileAsync = promisify(execFile);

/** Written last into a cache entry; its presence means the entry is complete. */
export interface BuildInfo {
  component: ComponentName;
  version: string;
  goVersion: string;
  buildSeconds: number;
  builtAt: string;
}

export interface BuiltComponent {
  dir: string;
  info: BuildInfo;
  /** True when this call built it, false when it came from the cache. */
  built: boolean;
}

export type BinaryDirs = Record<ComponentName, BuiltComponent>;

/** The kwok stage files copied out of the kwok module at build time, relative to its kustomize/stage dir. */
export const KWOK_STAGE_FILES = [
  "node/fast/node-initialize.yaml",
  "node/heartbeat-with-lease/node-heartbeat-with-lease.yaml",
  "pod/fast/pod-ready.yaml",
  "pod/fast/pod-complete.yaml",
  "pod/fast/pod-delete.yaml",
] as const;

const GO_ENV = { GOTOOLCHAIN: "local", CGO_ENABLED: "0" };

/** KFP's API server links mattn/go-sqlite3 (its sqlite dialect), which only builds with cgo. */
function goEnv(component?: Component): Record<string, string> {
  return component?.name === "kfp-api-server" ? { ...GO_ENV, CGO_ENABLED: "1" } : GO_ENV;
}

/** KFP's image ships its config dir at /config; the harness passes `--config` this copy of it. */
export const KFP_API_SERVER_CONFIG_DIR = "config";

function ldflags(component: Component, version: string): string {
  const flags = ["-s", "-w"];
  if (component.name === "kubernetes") {
    // Without these /version reports v0.0.0-master+$Format:%H$.
    const [major, minor] = version.replace(/^v/, "").split(".");
    flags.push(
      `-X k8s.io/component-base/version.gitVersion=${version}`,
      `-X k8s.io/component-base/version.gitMajor=${major}`,
      `-X k8s.io/component-base/version.gitMinor=${minor}`,
      "-X k8s.io/component-base/version.gitTreeState=clean",
      `-X k8s.io/client-go/pkg/version.gitVersion=${version}`,
    );
  }
  // Without it `helm version` reports the module's default (v4.3) instead of the release.
  if (component.name === "helm") flags.push(`-X helm.sh/helm/v4/internal/version.version=${version}`);
  return flags.join(" ");
}

function packages(component: Component): string[] {
  switch (component.name) {
    case "kubernetes":
      return component.binaries.map((binary) => `k8s.io/kubernetes/cmd/${binary}`);
    case "etcd":
      return ["."];
    case "kwok":
      return ["sigs.k8s.io/kwok/cmd/kwok"];
    case "kfp-api-server":
      return ["github.com/kubeflow/pipelines/backend/src/apiserver"];
    case "helm":
      return ["helm.sh/helm/v4/cmd/helm"];
    default:
      return component.name satisfies never;
  }
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

async function readBuildInfo(dir: string): Promise<BuildInfo | undefined> {
  const path = join(dir, "build-info.json");
  if (!(await exists(path))) return undefined;
  return JSON.parse(await readFile(path, "utf8")) as BuildInfo;
}

function runGo(args: string[], cwd: string, logPath: string, env: Record<string, string>): Promise<void> {
  return new Promise((resolve, reject) => {
    const log = createWriteStream(logPath, { flags: "a" });
    log.write(`$ go ${args.join(" ")}\n`);
    const child = spawn("go", args, {
      cwd,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout.pipe(log, { end: false });
    child.stderr.pipe(log, { end: false });
    child.on("error", (error) => {
      log.end();
      reject(new Error(`go ${args[0]}: ${error.message} (is Go installed and on PATH?)`, { cause: error }));
    });
    child.on("close", (code) => {
      log.end(() => {
        if (code === 0) resolve();
        else
          readFile(logPath, "utf8").then(
            (text) =>
              reject(new Error(`go ${args.join(" ")} exited ${code} in ${cwd}:\n${text.slice(-4000)}`)),
            reject,
          );
      });
    });
  });
}

async function buildComponent(
  component: Component,
  version: string,
  dir: string,
  log: (line: string) => void,
  position: string,
): Promise<BuildInfo> {
  const partial = `${dir}.partial-${process.pid}`;
  await rm(partial, { recursive: true, force: true });
  await mkdir(partial, { recursive: true });
  const logPath = join(partial, "build.log");
  const { stdout: goVersion } = await execFileAsync("go", ["env", "GOVERSION"], {
    env: { ...process.env, ...GO_ENV },
  });
  log(`[${position}] building ${component.name} ${version} with ${goVersion.trim()} (log: ${logPath})`);
  const started = performance.now();
  // A first build takes minutes per component with no output of its own: say it is still going.
  const ticker = setInterval(
    () =>
      log(
        `[${position}] still building ${component.name}: ${Math.round((performance.now() - started) / 1000)}s so far`,
      ),
    60_000,
  );
  ticker.unref();
  try {
    await runGo(
      [
        "build",
        "-trimpath",
        "-ldflags",
        ldflags(component, version),
        "-o",
        `${partial}/`,
        ...packages(component),
      ],
      component.moduleDir,
      logPath,
      goEnv(component),
    );
  } finally {
    clearInterval(ticker);
  }
  if (component.name === "etcd") {
    // Building "." names the binary after the wrapper module's last path element.
    await rename(join(partial, "etcdbin"), join(partial, "etcd"));
  }
  if (component.name === "kwok") {
    // kwok v0.8.0 loads no default stages; keep the upstream files next to the binary so starting needs no Go.
    const { stdout } = await execFileAsync("go", ["list", "-m", "-f", "{{.Dir}}", component.mainModule], {
      cwd: component.moduleDir,
      env: { ...process.env, ...GO_ENV },
    });
    const stageRoot = join(stdout.trim(), "kustomize", "stage");
    await mkdir(join(partial, "stages"));
    for (const file of KWOK_STAGE_FILES) {
      await copyFile(join(stageRoot, file), join(partial, "stages", file.split("/").at(-1) ?? file));
    }
  }
  if (component.name === "kfp-api-server") {
    // The image's /config: config.json as released; no samples (the image compiles them with the Python SDK),
    // so the server marks samples loaded and creates none.
    const { stdout } = await execFileAsync("go", ["list", "-m", "-f", "{{.Dir}}", component.mainModule], {
      cwd: component.moduleDir,
      env: { ...process.env, ...GO_ENV },
    });
    const configDir = join(partial, KFP_API_SERVER_CONFIG_DIR);
    await mkdir(configDir);
    await copyFile(
      join(stdout.trim(), "backend", "src", "apiserver", "config", "config.json"),
      join(configDir, "config.json"),
    );
    await writeFile(join(configDir, "sample_config.json"), "[]\n");
  }
  for (const binary of component.binaries) {
    if (!(await exists(join(partial, binary))))
      throw new Error(`go build produced no ${binary} in ${partial}`);
  }
  const info: BuildInfo = {
    component: component.name,
    version,
    goVersion: goVersion.trim(),
    buildSeconds: Math.round((performance.now() - started) / 100) / 10,
    builtAt: new Date().toISOString(),
  };
  await writeFile(join(partial, "build-info.json"), `${JSON.stringify(info, null, 2)}\n`);
  if (await exists(join(dir, "build-info.json"))) {
    // Another process finished the same build first; keep its entry.
    await rm(partial, { recursive: true, force: true });
  } else {
    await rm(dir, { recursive: true, force: true });
    await rename(partial, dir);
  }
  log(`built ${component.name} ${version} in ${info.buildSeconds}s`);
  return info;
}

/**
 * Returns the cache directory of every component, building the missing ones with the Go toolchain on PATH
 * (network: the Go module proxy). Cached entries are reused without running Go at all.
 */
export async function ensureBinaries(options: { log?: (line: string) => void } = {}): Promise<BinaryDirs> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const result: Partial<BinaryDirs> = {};
  for (const [index, component] of COMPONENTS.entries()) {
    const version = await componentVersion(component);
    const dir = binaryCacheDir(component, version);
    const cached = await readBuildInfo(dir);
    const position = `${index + 1}/${COMPONENTS.length}`;
    result[component.name] = cached
      ? { dir, info: cached, built: false }
      : { dir, info: await buildComponent(component, version, dir, log, position), built: true };
  }
  return result as BinaryDirs;
}

/** Like ensureBinaries but never builds: fails with a hint when something is missing (e.g. inside the netns). */
export async function cachedBinaries(): Promise<BinaryDirs> {
  const result: Partial<BinaryDirs> = {};
  for (const component of COMPONENTS) {
    const version = await componentVersion(component);
    const dir = binaryCacheDir(component, version);
    const info = await readBuildInfo(dir);
    if (!info) {
      throw new Error(
        `${component.name} ${version} is not built in ${dir}; run \`npx tsx local-cluster/cli.ts build\``,
      );
    }
    result[component.name] = { dir, info, built: false };
  }
  return result as BinaryDirs;
}
