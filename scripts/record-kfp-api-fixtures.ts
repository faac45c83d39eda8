// Records raw answers of a real KFP API server as JSON fixtures for the unit tests of inventory reading.
//
//   tsx scripts/record-kfp-api-fixtures.ts --kubeconfig PATH --namespace NS [--out DIR]
//
// Against a cluster whose ml-pipeline pod is served by a real KFP API server (the local cluster's real-servers
// harness, local-cluster/real-kfp-servers.ts, or a real install), it creates what KFP's upgrade test creates — 3
// experiments, 3 pipelines with a second version each, a run and a recurring run — through kube-apiserver's service
// proxy, then saves every page (page_size=2, so paging is captured) of the v2beta1 and v1beta1 list endpoints
// under DIR (default test/fixtures/kfp-api/<server version>/), with index.json naming each file's request.
// Nothing here runs Argo: a run is a Workflow object the server creates, and 2.0.5 accepts that.
//
// On the local control plane (how test/fixtures/kfp-api/2.0.5 was recorded): inside local-cluster/in-netns.sh, start a
// cluster (`tsx local-cluster/cli.ts up` with KFP_UPGRADE_CLUSTER_DIR set), create two hostPath PVs annotated
// `local-cluster.kfp-upgrade/real-servers: "true"`, `kfp-upgrade deploy --tag 2.0.5 --mysql-pv … --minio-pv …
// -n kubeflow`, wait until the API lists experiments, remove the old fixture directory (pages that no longer exist
// would stay), then run this script with the cluster's kubeconfig.

import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { createKfpObjectSet } from "../test/support/kfp-object-set.js";
import { kfpProxyClient } from "../test/support/kfp-proxy-client.js";

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      kubeconfig: { type: "string", default: process.env.KUBECONFIG },
      namespace: { type: "string", short: "n", default: "kubeflow" },
      out: { type: "string" },
    },
  });
  if (!values.kubeconfig) throw new Error("--kubeconfig (or KUBECONFIG) is required");
  const kfp = await kfpProxyClient(values.kubeconfig, values.namespace);

  const health = await kfp.get<Record<string, unknown>>("/apis/v2beta1/healthz");
  const version = String(health.tag_name ?? "unknown").replace(/^v/, "");
  const out = values.out ?? join("test", "fixtures", "kfp-api", version);
  process.stderr.write(
    `KFP API server ${version} (${String(health.commit_sha ?? "?")}); fixtures -> ${out}\n`,
  );
  const created = await createKfpObjectSet(kfp);
  process.stderr.write(`created run ${created.runId}, recurring run ${created.recurringRunId}\n`);

  await mkdir(out, { recursive: true });
  const index: { file: string; path: string; status: number }[] = [];
  const save = async (file: string, path: string) => {
    const answer = await kfp.send("GET", path);
    // Pretty-printed for review; grpc-gateway sends int64 as strings, so nothing is lost by re-serialising.
    const text =
      answer.status === 200 ? `${JSON.stringify(JSON.parse(answer.text), null, 2)}\n` : `${answer.text}\n`;
    await writeFile(join(out, file), text);
    index.push({ file, path, status: answer.status });
    return answer.status === 200 ? (JSON.parse(answer.text) as Record<string, unknown>) : {};
  };
  /** Every page of a list; the bodies, in order. */
  const pages = async (stem: string, path: string) => {
    const bodies: Record<string, unknown>[] = [];
    let token = "";
    do {
      const separator = path.includes("?") ? "&" : "?";
      const body = await save(
        `${stem}.page-${bodies.length + 1}.json`,
        `${path}${separator}page_size=2${token ? `&page_token=${encodeURIComponent(token)}` : ""}`,
      );
      bodies.push(body);
      token = String(body.next_page_token ?? "");
    } while (token !== "" && bodies.length < 20);
    return bodies;
  };
  /** The ids under `field` of every item in the `key` arrays of `bodies`, in the order listed. */
  const idsIn = (bodies: Record<string, unknown>[], key: string, field: string) =>
    bodies.flatMap((body) =>
      ((body[key] ?? []) as Record<string, unknown>[]).map((item) => String(item[field])),
    );
  // Every list the inventory reader asks for, in the order it asks (src/kfp/read-inventory.ts), versions of every
  // pipeline included, so that its unit test can replay a whole read.
  await save("v2beta1-healthz.json", "/apis/v2beta1/healthz");
  await pages("v2beta1-experiments", "/apis/v2beta1/experiments");
  const v2Pipelines = idsIn(
    await pages("v2beta1-pipelines", "/apis/v2beta1/pipelines"),
    "pipelines",
    "pipeline_id",
  );
  for (const [i, id] of v2Pipelines.entries())
    await pages(`v2beta1-pipeline-versions-${i}`, `/apis/v2beta1/pipelines/${id}/versions`);
  await pages("v2beta1-runs", "/apis/v2beta1/runs");
  await pages("v2beta1-recurringruns", "/apis/v2beta1/recurringruns");
  await save("v1beta1-healthz.json", "/apis/v1beta1/healthz");
  await pages("v1beta1-experiments", "/apis/v1beta1/experiments");
  const v1Pipelines = idsIn(await pages("v1beta1-pipelines", "/apis/v1beta1/pipelines"), "pipelines", "id");
  for (const [i, id] of v1Pipelines.entries())
    await pages(
      `v1beta1-pipeline-versions-${i}`,
      `/apis/v1beta1/pipeline_versions?resource_key.type=PIPELINE&resource_key.id=${id}`,
    );
  await pages("v1beta1-runs", "/apis/v1beta1/runs");
  await pages("v1beta1-jobs", "/apis/v1beta1/jobs");
  await writeFile(
    join(out, "index.json"),
    `${JSON.stringify({ server: health, recordedAt: new Date().toISOString(), files: index }, null, 2)}\n`,
  );
  process.stderr.write(`wrote ${index.length} answers to ${out}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
