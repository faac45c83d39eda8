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

import { mkdir, readFile, writeFile } from "node:fs/promises";
import { request as httpsRequest } from "node:https";
import { join } from "node:path";
import { parseArgs } from "node:util";
import yaml from "js-yaml";

interface Kubeconfig {
  "current-context"?: string;
  contexts?: { name: string; context: { cluster: string; user: string } }[];
  clusters?: { name: string; cluster: { server: string; "certificate-authority-data"?: string } }[];
  users?: {
    name: string;
    user: { "client-certificate-data"?: string; "client-key-data"?: string; token?: string };
  }[];
}

interface Answer {
  status: number;
  text: string;
}

/** Our own tiny Argo Workflow: KFP 2.0.5 still accepts v1 (Argo) pipeline packages. */
const WORKFLOW = (name: string) => `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  generateName: ${name}-
spec:
  entrypoint: say
  arguments:
    parameters:
      - name: message
        value: ${name}
  templates:
    - name: say
      inputs:
        parameters:
          - name: message
      container:
        image: busybox:1.36
        command: [echo]
        args: ["{{inputs.parameters.message}}"]
`;

function b64(text: string | undefined): Buffer | undefined {
  return text === undefined ? undefined : Buffer.from(text, "base64");
}

async function client(kubeconfigPath: string) {
  const config = yaml.load(await readFile(kubeconfigPath, "utf8")) as Kubeconfig;
  const contextName = config["current-context"];
  const context = config.contexts?.find((c) => c.name === contextName)?.context;
  const cluster = config.clusters?.find((c) => c.name === context?.cluster)?.cluster;
  const user = config.users?.find((u) => u.name === context?.user)?.user;
  if (!cluster || !user) throw new Error(`${kubeconfigPath}: no current context with a cluster and a user`);
  const send = (method: string, path: string, body?: Buffer, contentType?: string): Promise<Answer> =>
    new Promise((resolve, reject) => {
      const req = httpsRequest(
        new URL(path, cluster.server),
        {
          method,
          ca: b64(cluster["certificate-authority-data"]),
          cert: b64(user["client-certificate-data"]),
          key: b64(user["client-key-data"]),
          headers: {
            accept: "application/json",
            ...(user.token ? { authorization: `Bearer ${user.token}` } : {}),
            ...(contentType ? { "content-type": contentType } : {}),
          },
          timeout: 30_000,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (chunk: Buffer) => chunks.push(chunk));
          res.on("end", () =>
            resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }),
          );
          res.on("error", reject);
        },
      );
      req.on("timeout", () => req.destroy(new Error(`${method} ${path}: timed out`)));
      req.on("error", reject);
      req.end(body);
    });
  return send;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      kubeconfig: { type: "string", default: process.env.KUBECONFIG },
      namespace: { type: "string", short: "n", default: "kubeflow" },
      out: { type: "string" },
    },
  });
  if (!values.kubeconfig) throw new Error("--kubeconfig (or KUBECONFIG) is required");
  const send = await client(values.kubeconfig);
  const proxy = `/api/v1/namespaces/${values.namespace}/services/ml-pipeline:8888/proxy`;
  const call = async (method: string, path: string, body?: unknown): Promise<Record<string, unknown>> => {
    const answer = await send(
      method,
      `${proxy}${path}`,
      body === undefined ? undefined : Buffer.from(JSON.stringify(body)),
      body === undefined ? undefined : "application/json",
    );
    if (answer.status < 200 || answer.status >= 300)
      throw new Error(`${method} ${path}: ${answer.status} ${answer.text.slice(0, 500)}`);
    return JSON.parse(answer.text) as Record<string, unknown>;
  };
  const upload = async (
    path: string,
    fileName: string,
    content: string,
  ): Promise<Record<string, unknown>> => {
    const boundary = `----kfp-upgrade-${Date.now()}`;
    const body = Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="uploadfile"; filename="${fileName}"\r\n` +
        `Content-Type: application/x-yaml\r\n\r\n${content}\r\n--${boundary}--\r\n`,
    );
    const answer = await send("POST", `${proxy}${path}`, body, `multipart/form-data; boundary=${boundary}`);
    if (answer.status < 200 || answer.status >= 300)
      throw new Error(`POST ${path}: ${answer.status} ${answer.text.slice(0, 500)}`);
    return JSON.parse(answer.text) as Record<string, unknown>;
  };

  const health = await call("GET", "/apis/v2beta1/healthz");
  const version = String(health.tag_name ?? "unknown").replace(/^v/, "");
  const out = values.out ?? join("test", "fixtures", "kfp-api", version);
  process.stderr.write(
    `KFP API server ${version} (${String(health.commit_sha ?? "?")}); fixtures -> ${out}\n`,
  );

  // What KFP's upgrade test creates (backend/test/v2/integration/upgrade_test.go), in our own words.
  const experiments: string[] = [];
  for (const name of ["training", "prediction", "moonshot"]) {
    const created = await call("POST", "/apis/v2beta1/experiments", {
      display_name: name,
      description: `my ${name} experiment`,
    });
    experiments.push(String(created.experiment_id));
  }
  const pipelines: { id: string; versionId: string }[] = [];
  for (const name of ["arguments-parameters", "sequential", "zip-arguments-parameters"]) {
    const pipeline = await upload(
      `/apis/v2beta1/pipelines/upload?name=${encodeURIComponent(name)}`,
      `${name}.yaml`,
      WORKFLOW(name),
    );
    const id = String(pipeline.pipeline_id);
    const version = await upload(
      `/apis/v2beta1/pipelines/upload_version?pipelineid=${id}&name=${encodeURIComponent(`${name}-v2`)}`,
      `${name}-v2.yaml`,
      WORKFLOW(`${name}-v2`),
    );
    pipelines.push({ id, versionId: String(version.pipeline_version_id) });
  }
  const [first] = pipelines;
  if (first === undefined || experiments[0] === undefined) throw new Error("nothing was created");
  const run = await call("POST", "/apis/v2beta1/runs", {
    display_name: "hello world",
    description: "this is hello world",
    experiment_id: experiments[0],
    pipeline_version_reference: { pipeline_id: first.id, pipeline_version_id: first.versionId },
  });
  const recurring = await call("POST", "/apis/v2beta1/recurringruns", {
    display_name: "hello world",
    description: "this is hello world",
    experiment_id: experiments[0],
    pipeline_version_reference: { pipeline_id: first.id, pipeline_version_id: first.versionId },
    max_concurrency: "10",
    mode: "ENABLE",
    no_catchup: true,
    trigger: { cron_schedule: { cron: "0 0 0 * * *" } },
  });
  process.stderr.write(
    `created run ${String(run.run_id)}, recurring run ${String(recurring.recurring_run_id)}\n`,
  );

  await mkdir(out, { recursive: true });
  const index: { file: string; path: string; status: number }[] = [];
  const save = async (file: string, path: string) => {
    const answer = await send("GET", `${proxy}${path}`);
    // Pretty-printed for review; grpc-gateway sends int64 as strings, so nothing is lost by re-serialising.
    const text =
      answer.status === 200 ? `${JSON.stringify(JSON.parse(answer.text), null, 2)}\n` : `${answer.text}\n`;
    await writeFile(join(out, file), text);
    index.push({ file, path, status: answer.status });
    return answer.status === 200 ? (JSON.parse(answer.text) as Record<string, unknown>) : {};
  };
  const pages = async (stem: string, path: string, tokenField: string) => {
    let token = "";
    let page = 1;
    do {
      const separator = path.includes("?") ? "&" : "?";
      const body = await save(
        `${stem}.page-${page}.json`,
        `${path}${separator}page_size=2${token ? `&page_token=${encodeURIComponent(token)}` : ""}`,
      );
      token = String(body[tokenField] ?? "");
      page += 1;
    } while (token !== "" && page < 20);
  };
  await save("v2beta1-healthz.json", "/apis/v2beta1/healthz");
  await pages("v2beta1-experiments", "/apis/v2beta1/experiments", "next_page_token");
  await pages("v2beta1-pipelines", "/apis/v2beta1/pipelines", "next_page_token");
  await pages(
    `v2beta1-pipeline-versions-${0}`,
    `/apis/v2beta1/pipelines/${first.id}/versions`,
    "next_page_token",
  );
  await pages("v2beta1-runs", "/apis/v2beta1/runs", "next_page_token");
  await pages("v2beta1-recurringruns", "/apis/v2beta1/recurringruns", "next_page_token");
  await save("v1beta1-healthz.json", "/apis/v1beta1/healthz");
  await pages("v1beta1-experiments", "/apis/v1beta1/experiments", "next_page_token");
  await pages("v1beta1-pipelines", "/apis/v1beta1/pipelines", "next_page_token");
  await pages(
    `v1beta1-pipeline-versions-${0}`,
    `/apis/v1beta1/pipeline_versions?resource_key.type=PIPELINE&resource_key.id=${first.id}`,
    "next_page_token",
  );
  await pages("v1beta1-runs", "/apis/v1beta1/runs", "next_page_token");
  await pages("v1beta1-jobs", "/apis/v1beta1/jobs", "next_page_token");
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
