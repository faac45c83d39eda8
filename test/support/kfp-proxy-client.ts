import { readFile } from "node:fs/promises";
import { request as httpsRequest } from "node:https";
import yaml from "js-yaml";
import { z } from "zod";

// KFP's REST API through kube-apiserver's service proxy, as a kubeconfig's user reaches it: JSON requests, the
// multipart uploads KFP's pipeline upload endpoints take (which `kubectl create --raw` cannot send) and DELETEs.
// Used by the tests, the demo and scripts/record-kfp-api-fixtures.ts; the product has its own transport (src/kfp).

const kubeconfigSchema = z.object({
  "current-context": z.string().optional(),
  contexts: z.array(
    z.object({ name: z.string(), context: z.object({ cluster: z.string(), user: z.string() }) }),
  ),
  clusters: z.array(
    z.object({
      name: z.string(),
      cluster: z.object({ server: z.string(), "certificate-authority-data": z.string().optional() }),
    }),
  ),
  users: z.array(
    z.object({
      name: z.string(),
      user: z.object({
        "client-certificate-data": z.string().optional(),
        "client-key-data": z.string().optional(),
        token: z.string().optional(),
      }),
    }),
  ),
});

export interface KfpAnswer {
  status: number;
  text: string;
}

export interface KfpProxyClient {
  /** `/api/v1/namespaces/NS/services/ml-pipeline:8888/proxy`, for messages. */
  readonly base: string;
  /** Any request; the answer whatever its status (the fixture recorder keeps non-200 answers too). */
  send(method: string, path: string, body?: Buffer, contentType?: string): Promise<KfpAnswer>;
  get<T>(path: string): Promise<T>;
  post<T>(path: string, body: unknown): Promise<T>;
  /** POST `content` as the `uploadfile` part of a multipart form, as KFP's UI and SDK upload pipeline files. */
  upload<T>(path: string, fileName: string, content: string): Promise<T>;
  delete(path: string): Promise<void>;
}

const b64 = (text: string | undefined) => (text === undefined ? undefined : Buffer.from(text, "base64"));

/** A client for `namespace`'s `ml-pipeline:8888` with the current context of the kubeconfig at `kubeconfigPath`. */
export async function kfpProxyClient(kubeconfigPath: string, namespace: string): Promise<KfpProxyClient> {
  const config = kubeconfigSchema.parse(yaml.load(await readFile(kubeconfigPath, "utf8")));
  const context = config.contexts.find((c) => c.name === config["current-context"])?.context;
  const cluster = config.clusters.find((c) => c.name === context?.cluster)?.cluster;
  const user = config.users.find((u) => u.name === context?.user)?.user;
  if (!cluster || !user) throw new Error(`${kubeconfigPath}: no current context with a cluster and a user`);
  const base = `/api/v1/namespaces/${namespace}/services/ml-pipeline:8888/proxy`;

  const send: KfpProxyClient["send"] = (method, path, body, contentType) =>
    new Promise((resolve, reject) => {
      const req = httpsRequest(
        new URL(`${base}${path}`, cluster.server),
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
      req.on("timeout", () => req.destroy(new Error(`${method} ${base}${path}: timed out`)));
      req.on("error", reject);
      req.end(body);
    });

  const expectOk = async <T>(method: string, path: string, body?: Buffer, contentType?: string) => {
    const answer = await send(method, path, body, contentType);
    if (answer.status < 200 || answer.status >= 300)
      throw new Error(`${method} ${base}${path}: ${answer.status} ${answer.text.slice(0, 500)}`);
    return (answer.text.trim() === "" ? {} : JSON.parse(answer.text)) as T;
  };

  return {
    base,
    send,
    get: (path) => expectOk("GET", path),
    post: (path, body) => expectOk("POST", path, Buffer.from(JSON.stringify(body)), "application/json"),
    upload(path, fileName, content) {
      const boundary = `----kfp-upgrade-${Date.now()}`;
      const body = Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="uploadfile"; filename="${fileName}"\r\n` +
          `Content-Type: application/x-yaml\r\n\r\n${content}\r\n--${boundary}--\r\n`,
      );
      return expectOk("POST", path, body, `multipart/form-data; boundary=${boundary}`);
    },
    async delete(path) {
      await expectOk("DELETE", path);
    },
  };
}

/**
 * Waits until KFP answers a list (not just healthz: the HTTP gateway dials its gRPC port lazily and backs off when
 * that was not listening yet); false when it did not within `timeoutMs`.
 */
export async function kfpServes(kfp: KfpProxyClient, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const answer = await kfp.send("GET", "/apis/v2beta1/experiments?page_size=1").catch(() => undefined);
    if (answer?.status === 200) return true;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  return false;
}
