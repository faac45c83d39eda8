import { execFileSync } from "node:child_process";
import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { completionScript } from "../../../../src/cli/completion/shell-scripts.js";

const repo = path.resolve(import.meta.dirname, "../../../..");

/** A `kfp-upgrade` on PATH that runs the CLI from source, as an installed one runs the build. */
function shimDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "kfp-upgrade-completion-"));
  const shim = path.join(dir, "kfp-upgrade");
  writeFileSync(
    shim,
    `#!/bin/sh\nexec node --import tsx ${JSON.stringify(path.join(repo, "test/support/cli-entry.ts"))} "$@"\n`,
  );
  chmodSync(shim, 0o755);
  return dir;
}

/** Sources the bash script, completes `words` as if TAB was pressed after the last one, returns COMPREPLY. */
function bashComplete(words: string[]): string[] {
  const script = path.join(shimDir(), "completion.bash");
  writeFileSync(script, completionScript("bash"));
  const line = ["kfp-upgrade", ...words].map((w) => `'${w}'`).join(" ");
  const out = execFileSync(
    "bash",
    [
      "-c",
      `set -e; source ${JSON.stringify(script)}; COMP_WORDS=(${line}); COMP_CWORD=${words.length}; _kfp_upgrade; printf '%s\\n' "\${COMPREPLY[@]}"`,
    ],
    {
      cwd: repo,
      env: { ...process.env, PATH: `${path.dirname(script)}:${process.env.PATH}` },
      encoding: "utf8",
    },
  );
  return out.split("\n").filter((l) => l !== "");
}

describe("completion scripts", () => {
  it("the bash script loads without error and completes --tag 2.1 to the catalogue's 2.1x releases", () => {
    const tags = bashComplete(["upgrade", "--tag", "2.1"]);
    expect(tags.length).toBeGreaterThan(3);
    expect(tags.every((tag) => tag.startsWith("2.1"))).toBe(true);
    expect(tags).toEqual(expect.arrayContaining(["2.14.4", "2.15.0", "2.16.1", "2.17.0"]));
  }, 30_000);

  it("bash completes a command name and falls back to files for a path flag", () => {
    expect(bashComplete(["reins"])).toEqual(["reinstall"]);
    expect(bashComplete(["upgrade", "--manifests", "packa"])).toEqual(
      ["package.json", "package-lock.json"].sort(),
    );
  }, 30_000);

  it("zsh and fish scripts are syntactically valid where those shells are installed", () => {
    for (const [shell, check] of [
      ["zsh", ["-n"]],
      ["fish", ["--no-execute"]],
    ] as const) {
      const file = path.join(shimDir(), `completion.${shell}`);
      writeFileSync(file, completionScript(shell));
      try {
        execFileSync("sh", ["-c", `command -v ${shell}`]);
      } catch {
        continue; // not installed here: bash is the one checked everywhere
      }
      execFileSync(shell, [...check, file]);
    }
  });
});
