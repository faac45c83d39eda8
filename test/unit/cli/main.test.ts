import { describe, expect, it } from "vitest";
import { main } from "../../../src/cli/main.js";
import { appDir } from "../../support/app-dir.js";
import { fakeStreams } from "./fake-streams.js";

describe("main", () => {
  it("--help writes the usage, with examples, to stdout and exits 0", async () => {
    const streams = fakeStreams();
    await expect(main(["--help"], streams)).resolves.toBe(0);
    const usage = streams.stdout.text();
    expect(usage).toMatch(/^Usage: kfp-upgrade \[options\] \[command\]\n/);
    for (const command of ["deploy", "upgrade", "reinstall", "status", "versions", "params"]) {
      expect(usage).toMatch(new RegExp(`\\n  ${command}\\b`));
    }
    expect(usage).toContain(
      "Examples:\n  kfp-upgrade deploy --tag 2.5.0 --mysql-pv kfp-mysql --minio-pv kfp-minio",
    );
    expect(streams.stderr.text()).toBe("");
  });

  it("--version prints the version and exits 0", async () => {
    const streams = fakeStreams();
    await expect(main(["--version"], streams)).resolves.toBe(0);
    expect(streams.stdout.text()).toMatch(/^\d+\.\d+\.\d+\n$/);
  });

  it("a tag that was never released exits 2, naming the nearest real releases, and writes nothing", async () => {
    const dir = appDir();
    const streams = fakeStreams();
    await expect(main(["upgrade", "--tag", "1.8.7", "--app-dir", dir], streams)).resolves.toBe(2);
    const stderr = streams.stderr.text();
    expect(stderr).toContain("error: KFP 1.8.7 was never released");
    expect(stderr).toContain("1.8.5");
    expect(stderr).toContain("2.0.0");
    expect(stderr).toMatch(/\nhint: /);
    expect(streams.stdout.text()).toBe("");
  });

  it("a malformed kfp-app.yaml exits 3 and names the field", async () => {
    const dir = appDir({ "kfp-app.yaml": "apiVersion: kfp-upgrade/v1\nkind: KfpApp\nnamespace: 42\n" });
    const streams = fakeStreams();
    await expect(main(["status", "--app-dir", dir], streams)).resolves.toBe(3);
    expect(streams.stderr.text()).toContain("namespace");
    expect(streams.stdout.text()).toBe("");
  });

  it.each([
    {
      name: "an unknown option of a subcommand",
      argv: ["upgrade", "--bogus"],
      message: "unknown option '--bogus'",
    },
    {
      name: "an invalid choice of a subcommand option",
      argv: ["upgrade", "--strategy", "bogus"],
      message: "argument 'bogus' is invalid",
    },
    {
      name: "a missing argument of a nested subcommand",
      argv: ["params", "get"],
      message: "missing required argument",
    },
  ])("$name exits 2 with the usage error on stderr", async ({ argv, message }) => {
    const streams = fakeStreams();
    await expect(main([...argv, "--app-dir", appDir()], streams)).resolves.toBe(2);
    expect(streams.stderr.text()).toContain(message);
    expect(streams.stdout.text()).toBe("");
  });

  it("runs a command that needs no cluster: versions --path, as JSON on stdout", async () => {
    const streams = fakeStreams();
    await expect(main(["versions", "--path", "1.8.5", "2.14.4", "-o", "json"], streams)).resolves.toBe(0);
    expect(JSON.parse(streams.stdout.text())).toMatchObject({
      from: "1.8.5",
      to: "2.14.4",
      hops: [
        { from: "1.8.5", to: "2.5.0" },
        { from: "2.5.0", to: "2.14.4" },
      ],
    });
  });

  it("keeps colour out of output that is not a terminal", async () => {
    const streams = fakeStreams({ isTTY: false });
    await main(["upgrade", "--tag", "1.8.7", "--app-dir", appDir()], streams);
    expect(streams.stderr.text()).not.toContain("\u001b[");
  });
});
