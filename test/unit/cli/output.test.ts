import yaml from "js-yaml";
import { describe, expect, it } from "vitest";
import { Output } from "../../../src/cli/output.js";
import { UsageError } from "../../../src/errors.js";
import type { DeploymentProgress } from "../../../src/execute/readiness/apps-v1-deployment-progress.js";
import type { Plan } from "../../../src/plan/plan.js";
import { REDACTED } from "../../../src/redact.js";
import { fakeStreams } from "./fake-streams.js";

const SECRET = {
  apiVersion: "v1",
  kind: "Secret",
  metadata: { name: "mysql-secret", namespace: "kubeflow" },
  stringData: { username: "root", password: "hunter2" },
};

function planWithSecret(): Plan {
  return {
    apiVersion: "kfp-upgrade/v1",
    kind: "Plan",
    command: "deploy",
    namespace: "kubeflow",
    context: null,
    from: null,
    to: "2.5.0",
    strategy: "manifests",
    hops: [],
    storage: [],
    steps: [
      { id: "01-createIfAbsent", kind: "createIfAbsent", group: "secrets", objects: [SECRET] },
      { id: "02-waitRollout", kind: "waitRollout", namespace: "kubeflow", deployments: ["ml-pipeline"] },
      { id: "03-verifyBinding", kind: "verifyBinding", namespace: "kubeflow", claims: [] },
    ],
    warnings: [],
    notes: [],
    createdAt: "2026-01-02T03:04:05.000Z",
  };
}

/** A clock that starts at the plan's createdAt and moves one second each time it is read. */
function ticking(): () => Date {
  let seconds = 0;
  return () => new Date(Date.parse("2026-01-02T03:04:05Z") + 1000 * seconds++);
}

const STUCK: DeploymentProgress[] = [
  { name: "ml-pipeline", ready: 1, desired: 1 },
  {
    name: "ml-pipeline-ui",
    ready: 0,
    desired: 1,
    cause: {
      pod: "ui-1",
      container: "ui",
      reason: "ImagePullBackOff",
      message: 'Back-off pulling image "x/does-not-exist:1"',
    },
  },
];

describe("Output: live view or lines", () => {
  const cases = [
    { name: "a terminal", env: {}, isTTY: true, live: true },
    { name: "a pipe", env: {}, isTTY: false, live: false },
    { name: "CI set, even on a terminal", env: { CI: "true" }, isTTY: true, live: false },
    { name: "CI=false on a terminal", env: { CI: "false" }, isTTY: true, live: true },
    { name: "TERM=dumb", env: { TERM: "dumb" }, isTTY: true, live: false },
  ];
  it.each(cases)("$name", ({ env, isTTY, live }) => {
    expect(new Output(fakeStreams({ env, isTTY }), "text", false, false).live).toBe(live);
    expect(new Output(fakeStreams({ env, isTTY }), "json", false, false).live).toBe(false);
    expect(new Output(fakeStreams({ env, isTTY }), "text", true, false).live).toBe(false);
  });
});

describe("Output: colour", () => {
  const cases = [
    { name: "on a terminal", env: {}, isTTY: true, color: true },
    { name: "not on a terminal (CI logs, pipes)", env: {}, isTTY: false, color: false },
    { name: "NO_COLOR, even on a terminal", env: { NO_COLOR: "" }, isTTY: true, color: false },
    { name: "TERM=dumb", env: { TERM: "dumb" }, isTTY: true, color: false },
    { name: "FORCE_COLOR, even in a pipe", env: { FORCE_COLOR: "1" }, isTTY: false, color: true },
  ];
  it.each(cases)("$name", ({ env, isTTY, color }) => {
    expect(new Output(fakeStreams({ env, isTTY }), "text", false, false).color).toBe(color);
  });
});

describe("Output: data goes to stdout, never a Secret value", () => {
  it("text results are printed as they are", () => {
    const streams = fakeStreams();
    new Output(streams, "text", false, false).result({ data: { any: 1 }, text: "Plan: deploy KFP 2.5.0" });
    expect(streams.stdout.text()).toBe("Plan: deploy KFP 2.5.0\n");
    expect(streams.stderr.text()).toBe("");
  });

  it("an empty text result prints nothing", () => {
    const streams = fakeStreams();
    new Output(streams, "text", false, false).result({ data: null, text: "" });
    expect(streams.stdout.text()).toBe("");
  });

  it("-o json prints the data, redacted", () => {
    const streams = fakeStreams();
    new Output(streams, "json", false, false).result({ data: planWithSecret(), text: "ignored" });
    const printed = JSON.parse(streams.stdout.text()) as Plan;
    expect(streams.stdout.text()).not.toContain("hunter2");
    expect(printed.steps[0]).toMatchObject({
      objects: [{ stringData: { username: REDACTED, password: REDACTED } }],
    });
  });

  it("-o yaml prints the data, redacted", () => {
    const streams = fakeStreams();
    new Output(streams, "yaml", false, false).result({ data: planWithSecret(), text: "ignored" });
    expect(streams.stdout.text()).toContain("kind: Plan\n");
    expect(streams.stdout.text()).toContain(`password: ${REDACTED}`);
    expect(streams.stdout.text()).not.toContain("hunter2");
  });
});

describe("Output: events", () => {
  it("-o json: one JSON line per event on stdout, redacted", () => {
    const streams = fakeStreams();
    const output = new Output(streams, "json", false, false);
    output.event({ type: "plan", plan: planWithSecret() });
    output.event({
      type: "step-start",
      stepId: "01-createIfAbsent",
      kind: "createIfAbsent",
      description: "+ secret",
    });
    const lines = streams.stdout.text().trimEnd().split("\n");
    expect(lines).toHaveLength(2);
    expect(lines.map((line) => (JSON.parse(line) as { type: string }).type)).toEqual(["plan", "step-start"]);
    expect(streams.stdout.text()).not.toContain("hunter2");
    expect(streams.stderr.text()).toBe("");
  });

  it("-o yaml: one YAML document per event, then the result, all loadable as a stream, redacted", () => {
    const streams = fakeStreams();
    const output = new Output(streams, "yaml", false, false);
    output.event({ type: "plan", plan: planWithSecret() });
    output.event({
      type: "step-start",
      stepId: "01-createIfAbsent",
      kind: "createIfAbsent",
      description: "+ secret",
    });
    output.result({ data: { ok: true }, text: "ignored" });
    const documents = yaml.loadAll(streams.stdout.text()) as { type?: string; ok?: boolean }[];
    expect(documents.map((d) => d.type ?? d.ok)).toEqual(["plan", "step-start", true]);
    expect(streams.stdout.text()).not.toContain("hunter2");
    expect(streams.stdout.text()).not.toContain('{"type"');
  });

  it("text off a terminal: timestamped progress lines on stderr, numbered against the plan, then the summary", () => {
    const streams = fakeStreams();
    const output = new Output(streams, "text", false, false, ticking());
    output.event({ type: "plan", plan: planWithSecret() });
    output.event({
      type: "step-start",
      stepId: "01-createIfAbsent",
      kind: "createIfAbsent",
      description: "+ secret/mysql-secret",
    });
    output.event({
      type: "step-end",
      stepId: "01-createIfAbsent",
      ok: true,
      message: "1 created",
      durationMs: 1500,
    });
    output.event({
      type: "step-start",
      stepId: "02-waitRollout",
      kind: "waitRollout",
      description: "… wait",
    });
    output.event({ type: "step-progress", stepId: "02-waitRollout", message: "summary", deployments: STUCK });
    output.event({
      type: "step-end",
      stepId: "02-waitRollout",
      ok: false,
      message: "timed out",
      durationMs: 10,
    });
    output.event({ type: "warning", message: "PV has reclaim policy Delete" });
    output.event({ type: "rollback", message: "restored deployment/ml-pipeline -n kubeflow" });
    output.event({
      type: "result",
      ok: false,
      outcome: "rolled-back",
      message: "upgrade failed",
      bindings: [{ claim: "mysql-pv-claim", volumeName: "pv-1", volumeUid: "uid-1" }],
    });
    expect(streams.stderr.text()).toBe(
      [
        "2026-01-02T03:04:06Z [1/3] + secret/mysql-secret",
        "2026-01-02T03:04:07Z       1 created (1.5s)",
        "2026-01-02T03:04:08Z [2/3] … wait",
        "2026-01-02T03:04:09Z       1/2 Deployments ready",
        '2026-01-02T03:04:09Z         ml-pipeline-ui 0/1: ImagePullBackOff: Back-off pulling image "x/does-not-exist:1" (pod ui-1)',
        "2026-01-02T03:04:10Z       failed: timed out",
        "2026-01-02T03:04:11Z warning: PV has reclaim policy Delete",
        "2026-01-02T03:04:12Z rollback: restored deployment/ml-pipeline -n kubeflow",
        "2026-01-02T03:04:13Z upgrade failed",
        "  KFP (none) → 2.5.0 in namespace kubeflow, 8.0s",
        "  data: claim mysql-pv-claim on PV pv-1 (uid uid-1)",
        "  backups: none in this plan",
        "",
      ].join("\n"),
    );
    expect(streams.stderr.text()).not.toContain("\u001b");
    expect(streams.stdout.text()).toBe("");
  });

  it("--quiet keeps failures, warnings and failed results only", () => {
    const streams = fakeStreams();
    const output = new Output(streams, "text", true, false, () => new Date("2026-01-02T03:04:05Z"));
    output.event({ type: "plan", plan: planWithSecret() });
    output.event({
      type: "step-start",
      stepId: "01-createIfAbsent",
      kind: "createIfAbsent",
      description: "+ secret",
    });
    output.event({
      type: "step-end",
      stepId: "01-createIfAbsent",
      ok: true,
      message: "1 created",
      durationMs: 1,
    });
    output.event({
      type: "step-end",
      stepId: "02-waitRollout",
      ok: false,
      message: "timed out",
      durationMs: 1,
    });
    output.event({ type: "warning", message: "PV has reclaim policy Delete" });
    output.event({ type: "result", ok: true, outcome: "succeeded", message: "done", bindings: [] });
    output.event({ type: "result", ok: false, outcome: "failed", message: "upgrade failed", bindings: [] });
    expect(streams.stderr.text()).toBe(
      [
        "2026-01-02T03:04:05Z       failed: timed out",
        "2026-01-02T03:04:05Z warning: PV has reclaim policy Delete",
        "2026-01-02T03:04:05Z upgrade failed",
        "",
      ].join("\n"),
    );
  });
});

describe("Output: errors", () => {
  const error = new UsageError("STORAGE_FLAGS_CONFLICT", "--storage-class x conflicts with --mysql-pv y", {
    hint: "Pass one of them.",
    details: ["first", "second"],
    cause: new Error("the cause"),
  });

  it("prints message, details, hint and the stable code on stderr; with -o json also one error line on stdout", () => {
    const streams = fakeStreams();
    new Output(streams, "json", false, false).error(error);
    expect(streams.stderr.text()).toBe(
      "error: --storage-class x conflicts with --mysql-pv y\n  - first\n  - second\nhint: Pass one of them.\ncode: STORAGE_FLAGS_CONFLICT (exit 2)\n",
    );
    expect(streams.stdout.text()).toBe(
      `${JSON.stringify({ type: "error", code: "STORAGE_FLAGS_CONFLICT", exitCode: 2, message: "--storage-class x conflicts with --mysql-pv y", details: ["first", "second"], hint: "Pass one of them." })}\n`,
    );
  });

  it("adds no error document after a whole document (a refused plan carries its refusal), nor with -o text", () => {
    const afterPlan = fakeStreams();
    const output = new Output(afterPlan, "json", false, false);
    output.result({ data: { kind: "Plan" }, text: "" });
    output.error(error);
    expect(JSON.parse(afterPlan.stdout.text())).toEqual({ kind: "Plan" });
    const refused = fakeStreams();
    new Output(refused, "json", false, false).error(error, { document: false });
    expect(refused.stdout.text()).toBe("");
    const text = fakeStreams();
    new Output(text, "text", false, false).error(error);
    expect(text.stdout.text()).toBe("");
  });

  it("-o yaml: the error is one more --- document", () => {
    const streams = fakeStreams();
    const output = new Output(streams, "yaml", false, false);
    output.event({ type: "warning", message: "w" });
    output.error(error);
    expect(yaml.loadAll(streams.stdout.text())).toEqual([
      { type: "warning", message: "w" },
      expect.objectContaining({ type: "error", code: "STORAGE_FLAGS_CONFLICT" }),
    ]);
  });

  it("a run that executed its plan prints no result document after its events (not `undefined`)", () => {
    const streams = fakeStreams();
    new Output(streams, "json", false, false).result({ data: undefined, text: "" });
    expect(streams.stdout.text()).toBe("");
  });

  it("adds the cause with --verbose", () => {
    const streams = fakeStreams();
    new Output(streams, "text", false, true).error(error);
    expect(streams.stderr.text()).toContain("\ncause: the cause\n");
  });
});
