import { appendFileSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../../../src/cli/main.js";
import { checkSha256Sums } from "../../../../src/release/sha256sums.js";
import { appDir } from "../../../support/app-dir.js";
import { type ReleaseServer, startReleaseServer } from "../../../support/release-server.js";
import { buildReleaseArchive } from "../../../support/release-tree.js";
import { fakeStreams } from "../fake-streams.js";

let server: ReleaseServer;
beforeAll(async () => {
  server = await startReleaseServer({
    archives: {
      "2.5.0": { kind: "serve", body: await buildReleaseArchive("2.5.0") },
      "2.14.4": { kind: "serve", body: await buildReleaseArchive("2.14.4") },
    },
  });
});
afterAll(() => server.close());

function env() {
  return {
    XDG_CACHE_HOME: mkdtempSync(path.join(tmpdir(), "kfp-xdg-")),
    KFP_UPGRADE_RELEASE_SOURCE: server.url,
  };
}

describe("release pull", () => {
  it("writes every hop of --path with SHA256SUMS and the archive's URL and sha256; --manifests then refuses an edited file", async () => {
    const out = path.join(mkdtempSync(path.join(tmpdir(), "kfp-pull-")), "bundles");
    const streams = fakeStreams({ env: env() });
    const code = await main(
      ["release", "pull", "--path", "2.5.0", "2.14.4", "--out", out, "--app-dir", appDir()],
      streams,
    );
    expect(code, streams.stderr.text()).toBe(0);
    expect(readdirSync(out).sort()).toEqual(["2.14.4", "2.5.0"]);
    for (const version of ["2.5.0", "2.14.4"]) {
      const dir = path.join(out, version);
      expect(await checkSha256Sums(dir)).toEqual({ ok: true, problems: [] });
      expect(JSON.parse(readFileSync(path.join(dir, "source.json"), "utf8"))).toMatchObject({
        url: `${server.url}/archive/refs/tags/${version}.tar.gz`,
        archiveSha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      });
    }
    expect(streams.stdout.text()).toContain(
      `KFP 2.5.0 -> ${out}/2.5.0\n    from ${server.url}/archive/refs/tags/2.5.0.tar.gz (sha256 `,
    );
    expect(streams.stdout.text()).toContain(`2 releases in ${out}; use it offline with --manifests ${out}`);
    expect(streams.stderr.text()).toContain("Downloading KFP 2.14.4");

    const requests = server.requests.length;
    const images = fakeStreams({ env: {} });
    expect(
      await main(["release", "images", "--tag", "2.14.4", "--manifests", out, "--app-dir", appDir()], images),
    ).toBe(0);
    expect(images.stdout.text().split("\n")).toContain("ghcr.io/kubeflow/kfp-api-server:2.14.4");
    expect(server.requests.length).toBe(requests);

    const file = path.join(out, "2.14.4", "platform-agnostic.yaml");
    appendFileSync(file, "# edited\n");
    const refused = fakeStreams({ env: {} });
    expect(
      await main(
        ["release", "images", "--tag", "2.14.4", "--manifests", out, "--app-dir", appDir()],
        refused,
      ),
    ).toBe(3);
    expect(refused.stderr.text()).toContain(
      `error: Bundle ${out}/2.14.4 does not match its SHA256SUMS; refusing to use it`,
    );
    expect(refused.stderr.text()).toContain(`  - ${file}: sha256 `);
  });

  it("refuses ksonnet-era releases, which have no bundle to pull", async () => {
    const streams = fakeStreams({ env: env() });
    const out = mkdtempSync(path.join(tmpdir(), "kfp-pull-"));
    expect(
      await main(["release", "pull", "--tag", "v0.1.12", "--out", out, "--app-dir", appDir()], streams),
    ).toBe(2);
    expect(streams.stderr.text()).toContain("error: KFP 0.1.12 predates the kustomize manifests (0.1.26)");
  });

  it("needs --tag or --path", async () => {
    const streams = fakeStreams({ env: env() });
    expect(await main(["release", "pull", "--out", "x", "--app-dir", appDir()], streams)).toBe(2);
    expect(streams.stderr.text()).toContain("name the releases with --tag T (repeatable) or --path FROM TO");
  });
});

describe("release images", () => {
  it("lists the mirrored images with --image-registry, line for line with the originals", async () => {
    const e = env();
    const plain = fakeStreams({ env: e });
    const mirrored = fakeStreams({ env: e });
    expect(await main(["release", "images", "--tag", "2.5.0", "--app-dir", appDir()], plain)).toBe(0);
    expect(
      await main(
        [
          "release",
          "images",
          "--tag",
          "2.5.0",
          "--image-registry",
          "mirror.local:5000",
          "--app-dir",
          appDir(),
        ],
        mirrored,
      ),
    ).toBe(0);
    const from = plain.stdout.text().trim().split("\n");
    const to = mirrored.stdout.text().trim().split("\n");
    expect(from).toContain("gcr.io/ml-pipeline/mysql:8.0.26");
    expect(to[from.indexOf("gcr.io/ml-pipeline/mysql:8.0.26")]).toBe(
      "mirror.local:5000/ml-pipeline/mysql:8.0.26",
    );
    expect(to.every((image) => image.startsWith("mirror.local:5000/"))).toBe(true);
    expect(to).toHaveLength(from.length);
  });
});
