import { execFile } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { FIXTURES_DIR } from "./app-dir.js";

const run = promisify(execFile);

export interface LocalGitRepo {
  dir: string;
  remove(): void;
}

/**
 * A git repository laid out as the Kubeflow 0.x web UI left `${PROJECT}-kubeflow-config`: one directory per
 * deployment, each a KFAPP (the click-to-deploy server saved app `NAME` at `<repo>/NAME`: kubeflow/kubeflow
 * bootstrap/cmd/bootstrap/app/ksServer.go, GetApp and SaveAppToRepo). `deployments` maps each name to a fixture in
 * test/fixtures copied there; `files` adds files by path.
 */
export async function webUiRepo(
  deployments: Record<string, string>,
  files: Record<string, string> = {},
): Promise<LocalGitRepo> {
  const dir = mkdtempSync(path.join(tmpdir(), "kfp-webui-repo-"));
  for (const [name, fixture] of Object.entries(deployments)) {
    cpSync(path.join(FIXTURES_DIR, fixture), path.join(dir, name), { recursive: true });
  }
  for (const [relative, content] of Object.entries(files)) {
    const file = path.join(dir, relative);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, content);
  }
  const git = (args: string[]) =>
    run("git", ["-C", dir, "-c", "user.email=webui@example.com", "-c", "user.name=auto-commit", ...args]);
  await git(["init", "-q", "-b", "master"]);
  await git(["add", "."]);
  await git(["commit", "-qm", "auto commit from deployment"]);
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * A PATH with everything the current PATH offers except git (symlinks in a temporary directory): gcloud still runs,
 * git does not. `remove` deletes the directory.
 */
export function pathWithoutGit(): { path: string; remove(): void } {
  const dir = mkdtempSync(path.join(tmpdir(), "kfp-no-git-"));
  const seen = new Set<string>();
  for (const entry of (process.env.PATH ?? "").split(path.delimiter).filter(Boolean)) {
    let names: string[];
    try {
      names = readdirSync(entry);
    } catch {
      continue;
    }
    for (const name of names) {
      if (name === "git" || name.startsWith("git-") || seen.has(name)) continue;
      seen.add(name);
      symlinkSync(path.join(entry, name), path.join(dir, name));
    }
  }
  return { path: dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
