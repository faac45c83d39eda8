import { UsageError } from "../errors.js";
import { CATALOGUE, type Catalogue, latestRelease } from "./catalogue.js";
import { compareVersions, parseVersion } from "./compare-versions.js";
import { kubeflowTag } from "./kubeflow-tags.js";

export interface ResolvedTag {
  version: string;
  /** Something the user should read: a `v` dropped, a kubeflow/kubeflow ref read as KFP, a commit mapped. */
  note?: string;
}

export interface ResolveTagOptions {
  /** A version with a bundle on disk is accepted even when the catalogue does not know it. */
  hasBundle?: (version: string) => boolean;
}

const TAG_HINT =
  "Use a KFP release such as 2.17.0 (no `v`; `kfp-upgrade versions` lists them), `latest`, or a kubeflow/kubeflow " +
  "pipelines-branch commit from the upgrade_kfp.sh era";

/**
 * Turns what a user passes as `--tag` into one KFP backend version: `2.14.3`, `v0.1.12`, `latest`, or a
 * kubeflow/kubeflow commit that `upgrade_kfp.sh` took (full or a unique prefix of at least 7 hex digits).
 */
export function resolveTag(
  input: string,
  catalogue: Catalogue = CATALOGUE,
  options: ResolveTagOptions = {},
): ResolvedTag {
  const raw = input.trim();
  const lower = raw.toLowerCase();
  if (lower === "latest") return resolveLatest(catalogue);
  if (/^[0-9a-f]{7,40}$/.test(lower)) return resolveCommit(raw, lower, catalogue);

  const hadV = /^v\d/.test(lower);
  const version = lower.replace(/^sdk-/, "").replace(/^v(?=\d)/, "");
  if (!parseVersion(version)) throw invalidTag(raw, version, catalogue);
  if (catalogue.sdkOnly.includes(version)) {
    throw new UsageError(
      "TAG_SDK_ONLY",
      `KFP ${version} is an SDK-only release with no backend of its own; ${nearest(version, catalogue)}`,
      { hint: "Pick one of those backend releases; `kfp-upgrade versions` lists them all" },
    );
  }

  const known = catalogue.releases.some((release) => release.version === version);
  if (!known && !options.hasBundle?.(version)) throw unknownTag(raw, version, hadV, catalogue);
  const notes = [
    hadV ? vNote(raw, version) : undefined,
    known ? undefined : `KFP ${version} is not in the catalogue; its bundle alone describes it`,
  ].filter((note) => note !== undefined);
  return notes.length > 0 ? { version, note: notes.join(". ") } : { version };
}

function resolveLatest(catalogue: Catalogue): ResolvedTag {
  const latest = latestRelease(catalogue);
  if (!latest)
    throw new UsageError("TAG_UNKNOWN", "The release catalogue is empty, so `latest` means nothing");
  return { version: latest.version, note: `latest is KFP ${latest.version}` };
}

function resolveCommit(raw: string, prefix: string, catalogue: Catalogue): ResolvedTag {
  const matches = catalogue.releases.filter((release) => release.kubeflowCommit?.startsWith(prefix));
  const [match] = matches;
  if (match?.kubeflowCommit && matches.length === 1) {
    return {
      version: match.version,
      note: `kubeflow/kubeflow commit ${match.kubeflowCommit.slice(0, 9)} (pipelines branch, as upgrade_kfp.sh took it) pins KFP ${match.version}`,
    };
  }
  const known = catalogue.releases
    .filter((release) => release.kubeflowCommit)
    .map((release) => `${release.kubeflowCommit?.slice(0, 9)} = ${release.version}`)
    .join(", ");
  if (matches.length > 1) {
    throw new UsageError(
      "TAG_AMBIGUOUS_COMMIT",
      `Commit prefix "${raw}" matches several kubeflow/kubeflow commits`,
      {
        hint: `Give more digits; known commits: ${known}`,
      },
    );
  }
  throw new UsageError(
    "TAG_UNKNOWN_COMMIT",
    `"${raw}" is not a kubeflow/kubeflow pipelines-branch commit that changed the KFP images`,
    { hint: `Known upgrade_kfp.sh commits: ${known}; or pass the KFP version itself` },
  );
}

function vNote(raw: string, version: string): string {
  const kubeflow = kubeflowTag(version);
  if (!kubeflow) return `read "${raw}" as KFP ${version} (KFP tags have no \`v\`)`;
  const meant =
    kubeflow.pinsKfp === null
      ? `Kubeflow ${version}, which has no kubeflow/pipeline package at all`
      : `Kubeflow ${version}, whose kubeflow/pipeline package pins KFP ${kubeflow.pinsKfp}`;
  const instead = kubeflow.pinsKfp === null ? "" : `; pass --tag ${kubeflow.pinsKfp} if you meant Kubeflow's`;
  return (
    `"${raw}" is also a kubeflow/kubeflow tag: in upgrade_kfp.sh it would have meant ${meant}. ` +
    `kfp-upgrade reads it as KFP ${version} (KFP tags have no \`v\`)${instead}`
  );
}

function unknownTag(raw: string, version: string, hadV: boolean, catalogue: Catalogue): UsageError {
  const kubeflow = hadV ? kubeflowTag(version) : undefined;
  if (kubeflow) {
    const pinned = kubeflow.pinsKfp === null ? "no KFP at all" : `KFP ${kubeflow.pinsKfp}`;
    return new UsageError(
      "TAG_UNKNOWN",
      `"${raw}" is a kubeflow/kubeflow tag (it pins ${pinned}), not a KFP release; ${nearest(version, catalogue)}`,
      {
        hint:
          kubeflow.pinsKfp === null ? TAG_HINT : `Pass --tag ${kubeflow.pinsKfp} to install what it pinned`,
      },
    );
  }
  if (parseVersion(version)?.prerelease.length) {
    return new UsageError(
      "TAG_PRERELEASE",
      `KFP ${version} is a prerelease; the catalogue holds final releases only`,
      {
        hint: "Put a rendered bundle for it under --manifests DIR/<version>/, or use a final release",
      },
    );
  }
  const oldest = catalogue.releases[0];
  const newest = catalogue.releases.at(-1);
  if (newest && compareVersions(version, newest.version) > 0) {
    return new UsageError(
      "TAG_UNKNOWN",
      `KFP ${version} is newer than the catalogue; ${nearest(version, catalogue)}`,
      {
        hint: `Put a rendered bundle for it under --manifests DIR/${version}/, or use ${newest.version}`,
      },
    );
  }
  if (oldest && compareVersions(version, oldest.version) < 0) {
    return new UsageError("TAG_UNKNOWN", `KFP ${version} predates 0.1; ${nearest(version, catalogue)}`, {
      hint: TAG_HINT,
    });
  }
  return new UsageError("TAG_UNKNOWN", `KFP ${version} was never released; ${nearest(version, catalogue)}`, {
    hint: TAG_HINT,
  });
}

function invalidTag(raw: string, version: string, catalogue: Catalogue): UsageError {
  const minor = /^(\d+)\.(\d+)$/.exec(version);
  const newestOfMinor = minor
    ? catalogue.releases.filter((release) => release.version.startsWith(`${version}.`)).at(-1)
    : undefined;
  return new UsageError(
    "TAG_INVALID",
    `"${raw}" is not a KFP version, \`latest\` or a kubeflow/kubeflow commit`,
    {
      hint: newestOfMinor ? `Did you mean ${newestOfMinor.version}, the newest ${version}.x?` : TAG_HINT,
    },
  );
}

/** "the nearest backend releases are 1.8.5 (below) and 2.0.0 (above)" */
function nearest(version: string, catalogue: Catalogue): string {
  const below = catalogue.releases.filter((release) => compareVersions(release.version, version) < 0).at(-1);
  const above = catalogue.releases.find((release) => compareVersions(release.version, version) > 0);
  if (below && above) {
    return `the nearest backend releases are ${below.version} (below) and ${above.version} (above)`;
  }
  if (below) return `the newest backend release is ${below.version}`;
  if (above) return `the oldest backend release is ${above.version}`;
  return "the catalogue is empty";
}
