import { describe, expect, it } from "vitest";
import { upgradeOptionsSchema } from "../../../../src/cli/commands/upgrade.js";

describe("upgrade options", () => {
  it("--migration-timeout takes a duration and defaults to 30 minutes", () => {
    expect(upgradeOptionsSchema.parse({}).migrationTimeout).toBe(1800);
    expect(upgradeOptionsSchema.parse({ migrationTimeout: "1h" }).migrationTimeout).toBe(3600);
    expect(upgradeOptionsSchema.parse({ migrationTimeout: "900" }).migrationTimeout).toBe(900);
  });

  it("a --migration-timeout that is no duration is refused with the forms it takes", () => {
    const parsed = upgradeOptionsSchema.safeParse({ migrationTimeout: "soon" });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.message).toBe(
      'expected a duration such as 90s, 10m or 1h (or whole seconds), got "soon"',
    );
  });

  it("--wait-for-workflows and --ignore-running-workflows exclude each other", () => {
    expect(upgradeOptionsSchema.parse({ waitForWorkflows: true })).toMatchObject({
      waitForWorkflows: true,
      ignoreRunningWorkflows: false,
    });
    const parsed = upgradeOptionsSchema.safeParse({ waitForWorkflows: true, ignoreRunningWorkflows: true });
    expect(parsed.error?.issues[0]?.message).toBe(
      "--wait-for-workflows and --ignore-running-workflows exclude each other: wait for the Workflows, or go ahead",
    );
  });
});
