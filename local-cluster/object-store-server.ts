// An S3 server on a directory, for the real-servers harness (real-kfp-servers.ts): what the `minio`/`seaweedfs` pod
// would serve. It is @20minutes/s3rver (the maintained fork of s3rver): s3rver 3.7.1, the last release of the
// original, accepts minio-go's `STREAMING-AWS4-HMAC-SHA256-PAYLOAD` uploads but stores the aws-chunked framing
// verbatim; the fork decodes it. Usage: object-store-server.ts <dir> <address> <port>; the key pair the pod's
// Secret holds comes in OBJECT_STORE_ACCESS_KEY / OBJECT_STORE_SECRET_KEY (never on the command line).
import { createRequire } from "node:module";

interface S3rverInstance {
  run(): Promise<{ address: string; port: number }>;
  close(): Promise<void>;
}
type S3rverClass = new (options: Record<string, unknown>) => S3rverInstance;
interface AccountModule {
  DUMMY_ACCOUNT: { createKeyPair(accessKeyId: string, secretAccessKey: string): void };
}

const require = createRequire(import.meta.url);
const S3rver = require("@20minutes/s3rver") as S3rverClass;
const account = require("@20minutes/s3rver/lib/models/account") as AccountModule;

async function main(argv: string[]): Promise<void> {
  const [directory, address, portText] = argv;
  if (directory === undefined || address === undefined || portText === undefined)
    throw new Error("usage: object-store-server.ts <dir> <address> <port>");
  const accessKey = process.env.OBJECT_STORE_ACCESS_KEY;
  const secretKey = process.env.OBJECT_STORE_SECRET_KEY;
  if (accessKey && secretKey) account.DUMMY_ACCOUNT.createKeyPair(accessKey, secretKey);
  const server = new S3rver({
    directory,
    address,
    port: Number(portText),
    // minio-go addresses buckets by path (http://ip:9000/bucket/key); an IP is never a virtual host.
    vhostBuckets: false,
    // The access key must be the pod's, but the signature is not checked: for bucket requests s3rver signs the path
    // without the trailing slash minio-go sends and signs (`GET /mlpipeline/?location=` is refused otherwise).
    allowMismatchedSignatures: true,
    silent: false,
  });
  const listening = await server.run();
  process.stdout.write(`object store on ${listening.address}:${listening.port} serving ${directory}\n`);
  for (const signal of ["SIGTERM", "SIGINT"] as const)
    process.once(signal, () => {
      server.close().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    });
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
