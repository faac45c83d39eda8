import { describe, expect, it } from "vitest";
import { editAppFile, undoEditAppFile } from "../../../src/execute/edit-app-file.js";
import type { ExecutionContext } from "../../../src/execute/execution-context.js";
import type { StepOf } from "../../../src/plan/step.js";
import { FakeKubeClient } from "../../support/fake-kube-client.js";

const FILE = "gcp_config/storage-kubeflow.yaml";
const BEFORE = "# kept\nresources:\n- properties:\n    createPipelinePersistentStorage: true # kept too\n";
const AFTER = BEFORE.replace("true #", "false #");
const STEP: StepOf<"editAppFile"> = {
  id: "01-editAppFile",
  kind: "editAppFile",
  file: FILE,
  change: "createPipelinePersistentStorage: false",
  before: BEFORE,
  after: AFTER,
  diff: "(diff)",
};

/** A context whose KFAPP files live in a map; `writes` counts the writes. */
function context(
  files: Record<string, string>,
): ExecutionContext & { files: Map<string, string>; writes: string[] } {
  const map = new Map(Object.entries(files));
  const writes: string[] = [];
  const client = new FakeKubeClient({ defaultNamespace: "kubeflow" });
  const ctx: ExecutionContext = {
    client,
    timeoutSeconds: 5,
    signal: new AbortController().signal,
    progress: () => {},
    warn: () => {},
    bindings: new Map(),
    saveVolume: async () => {},
    steps: [STEP],
    appFiles: {
      read: async (file) => map.get(file),
      write: async (file, content) => {
        writes.push(file);
        map.set(file, content);
      },
    },
  };
  return Object.assign(ctx, { files: map, writes });
}

describe("editAppFile", () => {
  it("writes the edited text over the text the plan saw", async () => {
    const ctx = context({ [FILE]: BEFORE });
    expect(await editAppFile(STEP, ctx)).toBe(`${FILE}: createPipelinePersistentStorage: false`);
    expect(ctx.files.get(FILE)).toBe(AFTER);
  });

  it("is idempotent: a resumed run finds the file edited and writes nothing", async () => {
    const ctx = context({ [FILE]: AFTER });
    expect(await editAppFile(STEP, ctx)).toBe(`${FILE} already edited`);
    expect(ctx.writes).toEqual([]);
  });

  it("refuses a file changed since the plan, or gone, and leaves it as it is", async () => {
    const changed = context({ [FILE]: `${BEFORE}# user edit\n` });
    await expect(editAppFile(STEP, changed)).rejects.toMatchObject({
      code: "APP_FILE_CHANGED",
      exitCode: 3,
      message: `${FILE} changed since the plan was made; it is not edited`,
    });
    expect(changed.files.get(FILE)).toBe(`${BEFORE}# user edit\n`);
    const gone = context({});
    await expect(editAppFile(STEP, gone)).rejects.toMatchObject({ code: "APP_FILE_CHANGED" });
    expect(gone.writes).toEqual([]);
  });

  it("is a bug to run without the KFAPP's files", async () => {
    const { appFiles, ...ctx } = context({});
    void appFiles;
    await expect(editAppFile(STEP, ctx)).rejects.toMatchObject({ code: "INTERNAL" });
  });
});

describe("undoEditAppFile", () => {
  it("restores the exact bytes the plan saw", async () => {
    const ctx = context({ [FILE]: BEFORE });
    await editAppFile(STEP, ctx);
    expect(await undoEditAppFile(STEP, ctx)).toBe(`restored ${FILE} as it was before the run`);
    expect(ctx.files.get(FILE)).toBe(BEFORE);
  });

  it("writes nothing when the file is already as before, and keeps a file changed after the edit", async () => {
    const untouched = context({ [FILE]: BEFORE });
    expect(await undoEditAppFile(STEP, untouched)).toBe(`${FILE} is as it was before the run`);
    expect(untouched.writes).toEqual([]);
    const changed = context({ [FILE]: `${AFTER}# user edit\n` });
    expect(await undoEditAppFile(STEP, changed)).toMatch(
      /^kept gcp_config\/storage-kubeflow.yaml: it was changed/,
    );
    expect(changed.files.get(FILE)).toBe(`${AFTER}# user edit\n`);
  });
});
