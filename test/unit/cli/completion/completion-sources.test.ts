import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { completionSources } from "../../../../src/cli/completion/completion-sources.js";
import { CATALOGUE, latestRelease } from "../../../../src/release/catalogue.js";

function kubeconfig(text: string): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), "kfp-upgrade-kubeconfig-")), "config");
  writeFileSync(file, text);
  return file;
}

describe("completionSources", () => {
  it("--tag: the catalogue's releases, newest first", () => {
    const tags = completionSources({}).tags();
    expect(tags[0]).toBe(latestRelease(CATALOGUE)?.version);
    expect(tags).toEqual(expect.arrayContaining(["2.14.4", "2.5.0", "1.8.5"]));
  });

  it("--context: the contexts of the kubeconfig kubectl would read, from --kubeconfig or KUBECONFIG", () => {
    const file = kubeconfig(
      "contexts:\n- name: prod\n  context: {cluster: c}\n- name: staging\n  context: {cluster: c}\n",
    );
    expect(completionSources({ KUBECONFIG: "/nonexistent" }, file).contexts()).toEqual(["prod", "staging"]);
    expect(completionSources({ KUBECONFIG: file }).contexts()).toEqual(["prod", "staging"]);
  });

  it("never fails: a missing or malformed kubeconfig completes no context", () => {
    expect(completionSources({ KUBECONFIG: "/nonexistent" }).contexts()).toEqual([]);
    expect(completionSources({}, kubeconfig("contexts: [unclosed")).contexts()).toEqual([]);
    expect(completionSources({}, kubeconfig("contexts: 5\n")).contexts()).toEqual([]);
  });
});
