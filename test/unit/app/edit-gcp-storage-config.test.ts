import { cp, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  disablePipelineStorageCreation,
  GCP_STORAGE_CONFIG,
  planGcpStorageEdit,
} from "../../../src/app/edit-gcp-storage-config.js";

const FIXTURE = path.resolve("test/fixtures/ksonnet-kfapp-gcp");

/** kfctl's storage config with comments in every place a YAML comment can go, and uneven indentation. */
const COMMENTED = `# head comment
imports:
- path: storage.jinja # trailing

resources:
  # before the resource
  - name: kubeflow
    type: storage.jinja
    properties:
        zone: us-east1-d   # zone of the cluster
        createPipelinePersistentStorage:   true    # kfctl.sh sets this
        # a comment between keys
        disks:
         - {sizeGb: 20, usage: metadata-store}
`;

describe("disablePipelineStorageCreation", () => {
  it("changes only the value's characters; every comment, space and line is kept", () => {
    const after = disablePipelineStorageCreation(COMMENTED);
    expect(after).toBe(
      COMMENTED.replace(
        "createPipelinePersistentStorage:   true    # kfctl.sh",
        "createPipelinePersistentStorage:   false    # kfctl.sh",
      ),
    );
  });

  it("edits the kfctl.sh fixture's file in its one line", async () => {
    const before = await readFile(path.join(FIXTURE, GCP_STORAGE_CONFIG), "utf8");
    const after = disablePipelineStorageCreation(before) ?? "";
    const a = before.split("\n");
    const b = after.split("\n");
    expect(b).toHaveLength(a.length);
    const changed = a.flatMap((line, i) => (line === b[i] ? [] : [[line, b[i]]]));
    expect(changed).toEqual([
      ["    createPipelinePersistentStorage: true", "    createPipelinePersistentStorage: false"],
    ]);
  });

  it("edits kfctl's placeholder too (the disks it never created must already exist)", () => {
    const source =
      "resources:\n- name: k\n  type: storage.jinja\n  properties:\n    createPipelinePersistentStorage: SET_CREATE\n";
    expect(disablePipelineStorageCreation(source)).toBe(source.replace("SET_CREATE", "false"));
  });

  it("picks the storage.jinja resource, not the first one", () => {
    const source = [
      "resources:",
      "- name: other",
      "  type: cluster.jinja",
      "  properties: {createPipelinePersistentStorage: true}",
      "- name: kubeflow",
      "  type: storage.jinja",
      "  properties:",
      "    createPipelinePersistentStorage: true",
      "",
    ].join("\n");
    expect(disablePipelineStorageCreation(source)).toBe(
      source.replace(
        "    createPipelinePersistentStorage: true",
        "    createPipelinePersistentStorage: false",
      ),
    );
  });

  it("returns undefined when the value is already false or the key is not there", () => {
    expect(disablePipelineStorageCreation(disablePipelineStorageCreation(COMMENTED) ?? "")).toBeUndefined();
    expect(
      disablePipelineStorageCreation(
        "resources:\n- name: k\n  type: storage.jinja\n  properties: {zone: z}\n",
      ),
    ).toBeUndefined();
    expect(disablePipelineStorageCreation("imports: []\n")).toBeUndefined();
  });

  it("refuses a file that is not YAML, naming it", () => {
    expect(() => disablePipelineStorageCreation("resources: [\n", "x.yaml")).toThrow(
      expect.objectContaining({ code: "LEGACY_INVALID", message: expect.stringContaining("x.yaml") }),
    );
  });
});

describe("planGcpStorageEdit", () => {
  it("plans the edit of a copy of the fixture KFAPP, with before, after and the diff", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "kfp-dm-edit-"));
    await cp(FIXTURE, dir, { recursive: true });
    const before = await readFile(path.join(dir, GCP_STORAGE_CONFIG), "utf8");
    const edit = await planGcpStorageEdit(dir);
    expect(edit).toMatchObject({ file: GCP_STORAGE_CONFIG, before });
    expect(edit?.after).toBe(
      before.replace("createPipelinePersistentStorage: true", "createPipelinePersistentStorage: false"),
    );
    expect(edit?.diff).toBe(
      [
        "--- a/gcp_config/storage-kubeflow.yaml",
        "+++ b/gcp_config/storage-kubeflow.yaml",
        "@@ -9,7 +9,7 @@",
        "   type: storage.jinja",
        "   properties:",
        "     zone: us-east1-d",
        "-    createPipelinePersistentStorage: true",
        "+    createPipelinePersistentStorage: false",
        "     disks:",
        "      - sizeGb: 20",
        "        diskType: pd-standard",
      ].join("\n"),
    );
    // Planning writes nothing.
    expect(await readFile(path.join(dir, GCP_STORAGE_CONFIG), "utf8")).toBe(before);
  });

  it("plans nothing without the file, or when it already says false", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "kfp-dm-edit-"));
    expect(await planGcpStorageEdit(dir)).toBeUndefined();
    await cp(FIXTURE, dir, { recursive: true });
    const file = path.join(dir, GCP_STORAGE_CONFIG);
    await writeFile(file, disablePipelineStorageCreation(await readFile(file, "utf8")) ?? "");
    expect(await planGcpStorageEdit(dir)).toBeUndefined();
  });
});
