import type { z } from "zod";
import { EXIT_CODES, UsageError } from "../../errors.js";
import { CATALOGUE, type Catalogue, findRelease } from "../../release/catalogue.js";
import { unknownReleasesWarning, upstreamBackendVersions } from "../../release/discover-releases.js";
import { ensureRelease, type UpstreamConfig } from "../../release/ensure-release.js";
import { findBundleDir } from "../../release/find-bundle-dir.js";
import { type BundleListing, listBundles } from "../../release/list-bundles.js";
import { resolveTag } from "../../release/normalize-tag.js";
import { pathFor, type UpgradePath } from "../../release/path-for.js";
import type { ReleaseInfo } from "../../release/release-info.js";
import { resolveRelease } from "../../release/resolve-release.js";
import type { CommandResult, OutputFormat } from "../command-result.js";
import type {
  bundlesOutputSchema,
  catalogueOutputSchema,
  refreshedOutputSchema,
  upgradePathOutputSchema,
} from "../json-output/versions-output.js";

export interface VersionsOptions {
  /** FROM TO, each anything `--tag` accepts. */
  path?: readonly string[];
  manifests?: string | null;
  /** Ask upstream's tag list for the backend releases instead of printing the built-in catalogue. */
  refresh?: boolean;
  output: OutputFormat;
}

export interface VersionsDeps {
  catalogue?: Catalogue;
  /** Where `--refresh` reads tags and fetches bundles of releases the catalogue does not know. */
  upstream?: UpstreamConfig;
}

/**
 * `kfp-upgrade versions`: the catalogue; with `--path FROM TO` the hops between two releases; with `--manifests DIR`
 * (and no --path) the bundles found there, validated. A bundle that does not load makes the exit code 3.
 */
export async function versions(options: VersionsOptions, deps: VersionsDeps = {}): Promise<CommandResult> {
  const catalogue = deps.catalogue ?? CATALOGUE;
  const manifests = options.manifests ?? null;
  if (options.path !== undefined) return upgradePath(options.path, manifests, catalogue);
  if (manifests !== null) return bundles(manifests, catalogue);
  if (options.refresh) {
    if (!deps.upstream) throw new UsageError("REFRESH_UNAVAILABLE", "--refresh needs a release source");
    return refreshed(deps.upstream, catalogue);
  }
  const data: z.infer<typeof catalogueOutputSchema> = catalogue.releases.map((release) => ({
    version: release.version,
    era: release.era,
    registry: release.registry,
    mysqlSeries: release.mysqlSeries,
    objectStore: release.objectStore,
    dataClaims: release.dataClaims,
    ...(release.kubeflowCommit ? { kubeflowCommit: release.kubeflowCommit } : {}),
  }));
  const rows = data.map((row) => [
    row.version,
    row.era,
    row.registry,
    row.mysqlSeries,
    row.objectStore,
    row.dataClaims.mysql,
    row.dataClaims.objectStore,
    row.kubeflowCommit?.slice(0, 9) ?? "",
  ]);
  const header = [
    "VERSION",
    "ERA",
    "REGISTRY",
    "MYSQL",
    "OBJECT STORE",
    "MYSQL CLAIM",
    "OBJECT CLAIM",
    "KUBEFLOW COMMIT",
  ];
  const text = [
    table([header, ...rows]),
    "",
    `${data.length} backend releases. SDK-only versions, refused as --tag: ${catalogue.sdkOnly.join(", ")}.`,
  ].join("\n");
  return { data, text };
}

function upgradePath(args: readonly string[], manifests: string | null, catalogue: Catalogue): CommandResult {
  const [fromTag, toTag] = args;
  if (args.length !== 2 || fromTag === undefined || toTag === undefined) {
    throw new UsageError("PATH_ARGS", `--path takes two releases, FROM and TO; got ${args.length}`, {
      hint: "kfp-upgrade versions --path 1.8.5 2.14.4",
    });
  }
  const hasBundle = (version: string) => manifests !== null && findBundleDir(manifests, version) !== null;
  const from = resolveTag(fromTag, catalogue, { hasBundle });
  const to = resolveTag(toTag, catalogue, { hasBundle });
  const path = pathFor(from.version, to.version, { catalogue, hasBundle });
  const notes = [from.note, to.note].filter((note) => note !== undefined);
  const data: z.infer<typeof upgradePathOutputSchema> = path;
  return { data, text: [...notes.map((note) => `Note: ${note}`), ...renderPath(path)].join("\n") };
}

function renderPath(path: UpgradePath): string[] {
  if (path.hops.length === 0) return [`KFP ${path.from} is already ${path.to}: no hops.`];
  const lines = [
    `Upgrade ${path.from} → ${path.to}: ${path.hops.length} hop${path.hops.length === 1 ? "" : "s"}`,
  ];
  path.hops.forEach((hop, i) => {
    const { from, to } = hop.mysqlSeries;
    lines.push(`  ${i + 1}. ${hop.from} → ${hop.to}  (MySQL ${from === to ? to : `${from} → ${to}`})`);
    lines.push(`     ${hop.reason}`);
    if (hop.needsBundle && hop.hasBundle !== true) {
      lines.push(
        `     ! moving MySQL ${from} → ${to} needs KFP ${hop.to}'s bundle (the images strategy never touches mysql): pass --manifests DIR holding it; without it \`upgrade\` refuses this hop`,
      );
    }
  });
  if (path.objectStoreSwitch) lines.push("! The object store moves from MinIO to SeaweedFS on the way.");
  if (path.schemaOneWay)
    lines.push("! The target's database migration cannot be rolled back: back up MySQL first.");
  return lines;
}

async function bundles(manifests: string, catalogue: Catalogue): Promise<CommandResult> {
  const listings = await listBundles(manifests, catalogue);
  const failed = listings.filter((listing) => listing.error !== undefined);
  const data: z.infer<typeof bundlesOutputSchema> = listings.map((listing) => ({
    version: listing.version,
    variant: listing.variant,
    dir: listing.dir,
    ok: listing.error === undefined,
    objects: listing.objectCount,
    ...(listing.info
      ? {
          registry: listing.info.registry,
          mysqlSeries: listing.info.mysqlSeries,
          objectStore: listing.info.objectStore,
          dataClaims: listing.info.dataClaims,
        }
      : {}),
    images: listing.images,
    warnings: listing.warnings,
    ...(listing.error
      ? {
          error: { code: listing.error.code, message: listing.error.message, details: listing.error.details },
        }
      : {}),
  }));
  const summary =
    listings.length === 0
      ? `No <version>/ bundles in ${manifests}.`
      : `${listings.length - failed.length} of ${listings.length} bundles load.`;
  const text = [...listings.flatMap(renderListing), summary].join("\n");
  return failed.length > 0 ? { data, text, exitCode: EXIT_CODES.config } : { data, text };
}

function renderListing(listing: BundleListing): string[] {
  const title = `${listing.version}${listing.variant === "minio" ? " (minio variant)" : ""}  ${listing.dir}`;
  if (listing.error) {
    return [
      `✗ ${title}`,
      `    ${listing.error.message}`,
      ...listing.error.details.map((detail) => `      ${detail}`),
      ...(listing.error.hint ? [`    hint: ${listing.error.hint}`] : []),
      "",
    ];
  }
  const claims = listing.info
    ? `data claims: ${listing.info.dataClaims.mysql} (MySQL ${listing.info.mysqlSeries}), ${listing.info.dataClaims.objectStore} (${listing.info.objectStore})`
    : "";
  return [
    `✓ ${title}`,
    `    ${listing.objectCount} objects; ${claims}`,
    ...listing.images.map((image) => `    ${image}`),
    ...listing.warnings.map((warning) => `    ! ${warning}`),
    "",
  ];
}

function table(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, cell.length);
    });
  }
  return rows
    .map((row) =>
      row
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

/**
 * `versions --refresh`: the backend releases upstream lists, each with the catalogue's facts, or, for a release the
 * catalogue does not know, the facts derived from its fetched and rendered bundle (and a warning naming it).
 */
async function refreshed(upstream: UpstreamConfig, catalogue: Catalogue): Promise<CommandResult> {
  const versions = await upstreamBackendVersions(upstream, catalogue);
  const data: z.infer<typeof refreshedOutputSchema> = [];
  for (const version of versions) {
    const known = findRelease(catalogue, version);
    const info = known ?? (await derivedInfo(version, upstream, catalogue));
    data.push({
      version,
      facts: known ? ("catalogue" as const) : ("bundle" as const),
      era: info.era,
      registry: info.registry,
      mysqlSeries: info.mysqlSeries,
      objectStore: info.objectStore,
      dataClaims: info.dataClaims,
    });
  }
  const header = [
    "VERSION",
    "FACTS",
    "ERA",
    "REGISTRY",
    "MYSQL",
    "OBJECT STORE",
    "MYSQL CLAIM",
    "OBJECT CLAIM",
  ];
  const rows = data.map((row) => [
    row.version,
    row.facts,
    row.era,
    row.registry,
    row.mysqlSeries,
    row.objectStore,
    row.dataClaims.mysql,
    row.dataClaims.objectStore,
  ]);
  const warnings = unknownReleasesWarning(versions, catalogue);
  for (const warning of warnings) upstream.progress?.(`warning: ${warning}`);
  const text = [
    table([header, ...rows]),
    "",
    `${data.length} backend releases upstream (${upstream.api}); newest ${versions.at(-1) ?? "none"}.`,
    ...warnings.map((warning) => `! ${warning}`),
  ].join("\n");
  return { data, text };
}

async function derivedInfo(
  version: string,
  upstream: UpstreamConfig,
  catalogue: Catalogue,
): Promise<ReleaseInfo> {
  await ensureRelease(version, upstream);
  const {
    objects: _objects,
    bundleDir: _dir,
    variant: _variant,
    warnings: _warnings,
    ...info
  } = await resolveRelease({
    tag: version,
    manifestsDir: upstream.cacheRoot,
    catalogue,
  });
  return info;
}
