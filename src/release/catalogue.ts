import { buildReleaseInfo } from "./build-release-info.js";
import { compareVersions } from "./compare-versions.js";
import type { ReleaseInfo } from "./release-info.js";

export interface Catalogue {
  /** Every KFP backend release, oldest first. */
  releases: readonly ReleaseInfo[];
  /** Versions that exist only as KFP SDK releases: a tag whose manifests carry older images, or an `sdk-<v>` tag. */
  sdkOnly: readonly string[];
}

function patches(minor: string, first: number, last: number, missing: readonly number[] = []): string[] {
  const versions: string[] = [];
  for (let patch = first; patch <= last; patch++)
    if (!missing.includes(patch)) versions.push(`${minor}.${patch}`);
  return versions;
}

/**
 * Release tags of kubeflow/pipelines whose images carry the tag (`.release.cloudbuild.yaml` tags every KFP image
 * with `$TAG_NAME`; from 1.0 `newTag` in `base/pipeline/kustomization.yaml` equals the tag). Prereleases (`-rc.N`,
 * `-alpha.N`, `-beta.N`) are left out: they can still be used through a bundle. 0.0.42 predates 0.1.
 * Gaps are real: no 0.1.15, 0.1.28, 1.0.2, 1.1.0, 1.1.1, 1.8.6–1.8.12, 2.6–2.13, 2.14.1, 2.14.2.
 */
const BACKEND_VERSIONS: readonly string[] = [
  ...patches("0.1", 0, 40, [15, 28]),
  ...patches("0.2", 0, 5),
  "0.3.0",
  "0.4.0",
  "0.5.0",
  "0.5.1",
  "1.0.0",
  "1.0.1",
  "1.0.3",
  "1.0.4",
  "1.1.2",
  "1.2.0",
  "1.3.0",
  "1.4.0",
  "1.4.1",
  "1.5.0",
  "1.5.1",
  "1.6.0",
  "1.7.0",
  "1.7.1",
  ...patches("1.8", 0, 5),
  ...patches("2.0", 0, 5),
  "2.1.0",
  "2.2.0",
  "2.3.0",
  "2.4.0",
  "2.4.1",
  "2.5.0",
  "2.14.0",
  "2.14.3",
  "2.14.4",
  "2.15.0",
  "2.16.0",
  "2.16.1",
  "2.17.0",
  // Issue 16 (its summary of the release pages, not verified against upstream: the mirror of kubeflow/pipelines ends
  // at 2.17.0, 21 Aug 2026): 2.17.1, 2.17.2, 2.18.0 and 2.18.1 (18 Nov 2026, five security fixes). Their images,
  // registry, MySQL 8.4, SeaweedFS and Argo follow the 2.17.0 rules; 2.18.0 is a one-way API migration
  // (ONE_WAY_API_MIGRATIONS in release-rules.ts).
  "2.17.1",
  "2.17.2",
  "2.18.0",
  "2.18.1",
];

/**
 * 0.5.2 and 1.8.13–1.8.22 are tags whose manifests still carry 0.5.1 and 1.7.0 images; the rest exist only as
 * `sdk-<v>` tags. Prerelease SDK tags (`sdk-2.0.0b1`…) are not versions kfp-upgrade would accept anyway.
 */
const SDK_ONLY_VERSIONS: readonly string[] = [
  "0.5.2",
  ...patches("1.8", 13, 22),
  ...patches("2.1", 1, 3),
  "2.6.0",
  "2.7.0",
  "2.8.0",
  "2.9.0",
  "2.10.0",
  "2.10.1",
  "2.11.0",
  "2.12.0",
  "2.12.1",
  "2.12.2",
  "2.13.0",
  "2.14.1",
  "2.14.2",
  "2.14.5",
  "2.14.6",
  "2.15.1",
  "2.15.2",
];

/**
 * `pipelines`-branch commits of kubeflow/kubeflow that `upgrade_kfp.sh` took as its argument, from
 * `git log pipelines -- kubeflow/pipeline/pipeline.libsonnet`, and the KFP images each pins.
 */
const KUBEFLOW_COMMITS: Readonly<Record<string, string>> = {
  "0.1.10": "0cde19d670a0d299aad10ad812a26901e3ec0aa7",
  "0.1.12": "a1afdd6c4b297b56dd103a8bb939ddeae67c2c92",
  "0.1.13": "a5ca1377a641fe351912c1b83dcf31c99a650bef",
  "0.1.14": "1c3f358bc183b851a0628848ab0436c66739e9b2",
  "0.1.16": "6064e9a75e51f4f725d02e1bad853a7ae10861ea",
  "0.1.17": "e6a363a51a4963a624758c931b5a13e56d98d8e0",
  "0.1.19": "2db6459b75265c297f496312d42b01dea3c2baf5",
  "0.1.20": "edb140d9b3996379babc46bfb6720d57e1fc9d09",
  "0.1.21": "5c90486438c7c89d8c9c5bc949620566dd509f94",
};

export const CATALOGUE: Catalogue = {
  releases: [...BACKEND_VERSIONS]
    .sort(compareVersions)
    .map((version) => buildReleaseInfo(version, "default", KUBEFLOW_COMMITS[version])),
  sdkOnly: SDK_ONLY_VERSIONS,
};

export function findRelease(catalogue: Catalogue, version: string): ReleaseInfo | undefined {
  return catalogue.releases.find((release) => release.version === version);
}

export function latestRelease(catalogue: Catalogue): ReleaseInfo | undefined {
  return catalogue.releases.at(-1);
}
