// The in-process part of `npm run bench`: bundle loading, planning and rendering, each as a ratio to a baseline
// measured in the same run on the same machine, so the numbers compare across machines.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import yaml from "js-yaml";
import { defaultApp } from "../src/app/kfp-app.js";
import { buildUpgradePlan } from "../src/plan/build-upgrade-plan.js";
import { renderPlanText } from "../src/plan/render-plan-text.js";
import { loadBundle } from "../src/release/load-bundle.js";
import { resolveRelease } from "../src/release/resolve-release.js";
import { aSnapshot } from "../test/support/snapshot-builder.js";
import { type Measurement, measure } from "./measure.js";

const manifests = path.resolve(import.meta.dirname, "../../shared/kfp-manifests");

export interface InProcessRow {
  what: string;
  medianMs: number;
  baselineMs: number;
  ratio: number;
}

function row(subject: Measurement, baseline: Measurement, what: string): InProcessRow {
  return {
    what,
    medianMs: subject.medianMs,
    baselineMs: baseline.medianMs,
    ratio: subject.medianMs / Math.max(baseline.medianMs, 0.001),
  };
}

export async function inProcessBenchmarks(runs: number): Promise<InProcessRow[]> {
  const lines: InProcessRow[] = [];

  // 1. Loading the largest real bundle (2.17.0, ~950 KB) vs. only parsing its YAML with js-yaml.
  const dir = path.join(manifests, "2.17.0");
  const files = readdirSync(dir).filter((f) => f.endsWith(".yaml") && !f.includes("-minio"));
  const parseOnly = await measure(
    "parse",
    () => {
      for (const file of files) yaml.loadAll(readFileSync(path.join(dir, file), "utf8"));
    },
    runs,
  );
  const load = await measure("loadBundle", () => loadBundle(dir), runs);
  lines.push(row(load, parseOnly, "loadBundle 2.17.0 (validate + order) vs yaml parse"));

  // 2. Planning an upgrade 2.5.0 -> 2.14.4 over a snapshot of a real install vs. cloning the release objects.
  const from = await resolveRelease({ tag: "2.5.0", manifestsDir: manifests });
  const to = await resolveRelease({ tag: "2.14.4", manifestsDir: manifests });
  const snapshot = aSnapshot()
    .withNamespace()
    .withInstalled("2.5.0", from.objects)
    .withBoundClaim("mysql-pv-claim", "pv-mysql", { uid: "uid-mysql" })
    .withBoundClaim("minio-pvc", "pv-minio", { uid: "uid-minio" })
    .build();
  const clone = await measure("clone", () => structuredClone(to.objects), runs);
  const plan = await measure(
    "plan",
    () =>
      buildUpgradePlan({
        app: defaultApp(),
        snapshot,
        installed: from,
        hops: [{ from: "2.5.0", to: "2.14.4", reason: "bench", release: to }],
        strategy: "auto",
        now: new Date(0),
      }),
    runs,
  );
  lines.push(row(plan, clone, "upgrade plan 2.5.0 -> 2.14.4 vs structuredClone"));
  const built = buildUpgradePlan({
    app: defaultApp(),
    snapshot,
    installed: from,
    hops: [{ from: "2.5.0", to: "2.14.4", reason: "bench", release: to }],
    strategy: "auto",
    now: new Date(0),
  });
  const stringify = await measure("stringify", () => JSON.stringify(built), runs);
  const render = await measure("render", () => renderPlanText(built, { color: false }), runs);
  lines.push(row(render, stringify, "render plan text vs JSON.stringify of the plan"));

  return lines;
}
