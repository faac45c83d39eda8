import { cp, readFile, rm } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { ConfigError, UsageError } from "../../errors.js";
import { CATALOGUE } from "../../release/catalogue.js";
import { compareVersions } from "../../release/compare-versions.js";
import { ensureRelease } from "../../release/ensure-release.js";
import { resolveTag } from "../../release/normalize-tag.js";
import { pathFor } from "../../release/path-for.js";
import { podImages } from "../../release/pod-images.js";
import { eraFor } from "../../release/release-rules.js";
import { checkSha256Sums } from "../../release/sha256sums.js";
import type { CommandDeps } from "../command-deps.js";
import type { CommandResult } from "../command-result.js";
import type { GlobalOptions } from "../global-options.js";
import { parseOptions } from "../parse-options.js";
import { prepareRun, upstreamFor } from "../prepare-run.js";
import { resolveReleaseForApp } from "../resolve-release-for-app.js";

export const releasePullOptionsSchema = z
  .object({
    tag: z.array(z.string().min(1)).default([]),
    path: z.array(z.string().min(1)).length(2, "--path takes two releases, FROM and TO").optional(),
    out: z.string().min(1),
  })
  .refine((options) => options.tag.length > 0 || options.path !== undefined, {
    message: "name the releases with --tag T (repeatable) or --path FROM TO",
  });

/**
 * `release pull`: on a machine with network, writes `<out>/<version>/` (rendered YAML, SHA256SUMS, source.json with
 * the archive's URL and sha256) for each release asked for, or for every hop of `--path FROM TO`. Copy `<out>` to
 * the air-gapped machine and pass it as --manifests: the sums are checked there before use.
 */
export async function releasePull(
  raw: unknown,
  global: GlobalOptions,
  deps: CommandDeps,
): Promise<CommandResult> {
  const options = parseOptions(releasePullOptionsSchema, raw);
  const run = await prepareRun(global, deps);
  const upstream = upstreamFor(global, deps, run.app);
  const versions = new Set(options.tag.map((tag) => resolveTag(tag, CATALOGUE).version));
  if (options.path) {
    const [from, to] = options.path.map((tag) => resolveTag(tag, CATALOGUE).version) as [string, string];
    const hops = pathFor(from, to, { hasBundle: (version) => eraFor(version) === "kustomize" });
    versions.add(from);
    for (const hop of hops.hops) versions.add(hop.to);
  }
  const ksonnet = [...versions].filter((version) => eraFor(version) !== "kustomize");
  if (ksonnet.length > 0) {
    throw new UsageError(
      "RELEASE_NOT_PULLABLE",
      `KFP ${ksonnet.join(", ")} predate${ksonnet.length === 1 ? "s" : ""} the kustomize manifests (0.1.26): there is no bundle to pull`,
      {
        hint: "ksonnet-era releases are known from the catalogue alone; upgrade them with the images strategy",
      },
    );
  }
  const out = path.resolve(options.out);
  const pulled = [];
  for (const version of [...versions].sort(compareVersions)) {
    const cached = await ensureRelease(version, upstream);
    const dir = path.join(out, version);
    await rm(dir, { recursive: true, force: true });
    await cp(cached, dir, { recursive: true });
    const check = await checkSha256Sums(dir);
    if (!check?.ok) {
      throw new ConfigError(
        "PULL_COPY_MISMATCH",
        `The copy of KFP ${version} in ${dir} does not match its sums`,
        {
          details: check?.problems ?? [],
        },
      );
    }
    const source = sourceJsonSchema.parse(JSON.parse(await readFile(path.join(dir, "source.json"), "utf8")));
    pulled.push({ version, dir, url: source.url, archiveSha256: source.archiveSha256 });
  }
  const text = [
    ...pulled.map((p) => `KFP ${p.version} -> ${p.dir}\n    from ${p.url} (sha256 ${p.archiveSha256})`),
    `${pulled.length} release${pulled.length === 1 ? "" : "s"} in ${out}; use it offline with --manifests ${out}`,
  ].join("\n");
  return { data: { out, releases: pulled }, text };
}

const sourceJsonSchema = z.object({ url: z.string(), archiveSha256: z.string() });

export const releaseImagesOptionsSchema = z.object({ tag: z.string().min(1).default("latest") });

/** `release images --tag T`: every image the release's pods run (after --image-registry), one per line. */
export async function releaseImages(
  raw: unknown,
  global: GlobalOptions,
  deps: CommandDeps,
): Promise<CommandResult> {
  const options = parseOptions(releaseImagesOptionsSchema, raw);
  const run = await prepareRun(global, deps);
  const release = await resolveReleaseForApp(options.tag, run.releases, run.app.release.variant);
  if (release.objects.length === 0) {
    throw new ConfigError(
      "RELEASE_NO_BUNDLE",
      `KFP ${release.version} has no bundle, so its full image list is unknown`,
      {
        hint: "ksonnet-era releases carry only the catalogue's KFP images; pass --manifests with a bundle otherwise",
      },
    );
  }
  const images = podImages(release.objects);
  return { data: images, text: images.join("\n") };
}
