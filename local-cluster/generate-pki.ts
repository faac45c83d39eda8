import { execFile } from "node:child_process";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";

const execFileAsync = promisify(execFile);

/** Paths of the files one cluster's components use; everything is signed by one throwaway CA. */
export interface Pki {
  dir: string;
  caCert: string;
  caKey: string;
  apiServerCert: string;
  apiServerKey: string;
  adminCert: string;
  adminKey: string;
  serviceAccountKey: string;
  serviceAccountPub: string;
}

export function pkiPaths(dir: string): Pki {
  return {
    dir,
    caCert: join(dir, "ca.crt"),
    caKey: join(dir, "ca.key"),
    apiServerCert: join(dir, "apiserver.crt"),
    apiServerKey: join(dir, "apiserver.key"),
    adminCert: join(dir, "admin.crt"),
    adminKey: join(dir, "admin.key"),
    serviceAccountKey: join(dir, "sa.key"),
    serviceAccountPub: join(dir, "sa.pub"),
  };
}

const API_SERVER_SANS = [
  "DNS:localhost",
  "DNS:kubernetes",
  "DNS:kubernetes.default",
  "DNS:kubernetes.default.svc",
  "DNS:kubernetes.default.svc.cluster.local",
  "IP:127.0.0.1",
  "IP:10.96.0.1",
];

async function openssl(cwd: string, args: string[]): Promise<void> {
  try {
    await execFileAsync("openssl", args, { cwd });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? "";
    throw new Error(`openssl ${args[0]} failed in ${cwd}: ${stderr.trim()}`, { cause: error });
  }
}

async function ecKey(cwd: string, file: string): Promise<void> {
  await openssl(cwd, ["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", file]);
}

async function signedCert(cwd: string, name: string, subject: string, extensions: string[]): Promise<void> {
  await ecKey(cwd, `${name}.key`);
  await openssl(cwd, ["req", "-new", "-key", `${name}.key`, "-subj", subject, "-out", `${name}.csr`]);
  await writeFile(join(cwd, `${name}.ext`), `${extensions.join("\n")}\n`);
  await openssl(cwd, [
    "x509",
    "-req",
    "-sha256",
    "-days",
    "3650",
    "-in",
    `${name}.csr`,
    "-CA",
    "ca.crt",
    "-CAkey",
    "ca.key",
    "-CAcreateserial",
    "-extfile",
    `${name}.ext`,
    "-out",
    `${name}.crt`,
  ]);
}

/**
 * Generates the CA, the apiserver serving cert (SANs for 127.0.0.1 and the in-cluster names), an admin client
 * cert in `system:masters`, and the service-account signing key pair. EC P-256 keeps it fast on small machines.
 */
export async function generatePki(dir: string): Promise<Pki> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await ecKey(dir, "ca.key");
  await openssl(dir, [
    "req",
    "-x509",
    "-new",
    "-sha256",
    "-days",
    "3650",
    "-key",
    "ca.key",
    "-subj",
    "/CN=kfp-upgrade-e2e-ca",
    "-addext",
    "basicConstraints=critical,CA:TRUE",
    "-addext",
    "keyUsage=critical,keyCertSign,cRLSign,digitalSignature",
    "-out",
    "ca.crt",
  ]);
  await signedCert(dir, "apiserver", "/CN=kube-apiserver", [
    "basicConstraints=CA:FALSE",
    "keyUsage=critical,digitalSignature,keyEncipherment",
    "extendedKeyUsage=serverAuth",
    `subjectAltName=${API_SERVER_SANS.join(",")}`,
  ]);
  await signedCert(dir, "admin", "/O=system:masters/CN=kfp-upgrade-e2e-admin", [
    "basicConstraints=CA:FALSE",
    "keyUsage=critical,digitalSignature,keyEncipherment",
    "extendedKeyUsage=clientAuth",
  ]);
  await ecKey(dir, "sa.key");
  await openssl(dir, ["pkey", "-in", "sa.key", "-pubout", "-out", "sa.pub"]);
  return pkiPaths(dir);
}

/** An admin kubeconfig with the certificates embedded, so it stays valid when copied elsewhere. */
export async function writeAdminKubeconfig(path: string, pki: Pki, apiServerUrl: string): Promise<void> {
  const b64 = async (file: string) => (await readFile(file)).toString("base64");
  const text = [
    "apiVersion: v1",
    "kind: Config",
    "clusters:",
    "- name: kfp-upgrade-e2e",
    "  cluster:",
    `    server: ${apiServerUrl}`,
    `    certificate-authority-data: ${await b64(pki.caCert)}`,
    "users:",
    "- name: admin",
    "  user:",
    `    client-certificate-data: ${await b64(pki.adminCert)}`,
    `    client-key-data: ${await b64(pki.adminKey)}`,
    "contexts:",
    "- name: kfp-upgrade-e2e",
    "  context:",
    "    cluster: kfp-upgrade-e2e",
    "    user: admin",
    "current-context: kfp-upgrade-e2e",
    "",
  ].join("\n");
  await writeFile(path, text, { mode: 0o600 });
}
