/**
 * kubeflow/kubeflow release tags from the ksonnet era, which `upgrade_kfp.sh <ref>` would have taken as refs, and the
 * KFP version their `kubeflow/pipeline` package pins (`null`: the tag has no such package). Read from
 * `kubeflow/pipeline/*.libsonnet` at each tag. The ksonnet registry was deleted before v1.0.
 */
const KUBEFLOW_TAGS: Readonly<Record<string, string | null>> = {
  "0.1.0": null,
  "0.1.1": null,
  "0.1.2": null,
  "0.1.3": null,
  "0.2.0": null,
  "0.2.1": null,
  "0.2.2": null,
  "0.2.3": null,
  "0.2.4": null,
  "0.2.5": null,
  "0.2.6": null,
  "0.2.7": null,
  "0.3.0": null,
  "0.3.1": null,
  "0.3.2": null,
  "0.3.3": null,
  "0.3.4": "0.1.3",
  "0.3.5": "0.1.6",
  "0.4.0": "0.1.6",
  "0.4.1": "0.1.7",
  "0.5.0": "0.1.16",
  "0.5.1": "0.1.16",
  "0.6.0": "0.1.22",
  "0.6.1": "0.1.22",
  "0.6.2": "0.1.22",
  "0.7.0": "0.1.22",
  "0.7.1": "0.1.22",
};

export interface KubeflowTag {
  /** The tag as kubeflow/kubeflow spells it, with its `v`. */
  tag: string;
  /** The KFP version its `kubeflow/pipeline` package pins, or null when it has none. */
  pinsKfp: string | null;
}

/** The kubeflow/kubeflow tag `v<version>`, if there is one from the ksonnet era. */
export function kubeflowTag(version: string): KubeflowTag | undefined {
  const pinsKfp = KUBEFLOW_TAGS[version];
  return pinsKfp === undefined ? undefined : { tag: `v${version}`, pinsKfp };
}
