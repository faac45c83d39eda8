import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { dump, loadAll } from "js-yaml";
import { KWOK_STAGE_FILES } from "./build-binaries.js";
import { KFP_API_SERVER_IMAGE_PATTERN, MYSQL_IMAGE_PATTERN } from "./data-store-rules.js";

/**
 * Put this label on a pod (in a Deployment: on the pod template) and kwok makes it Running but never Ready.
 * Presence counts, whatever the value; write `"true"`.
 */
export const NEVER_READY_LABEL = "e2e/never-ready";

/** Put this annotation on a pod (template) to delay its readiness by a Go duration, e.g. `"3s"` or `"500ms"`. */
export const READY_DELAY_ANNOTATION = "e2e/ready-delay";

/**
 * A container whose image contains this marker never pulls: kwok shows its pod the way the kubelet shows an image
 * it cannot pull (ImagePullBackOff), e.g. `example.invalid/does-not-exist:1`.
 */
export const UNPULLABLE_IMAGE_MARKER = "does-not-exist";

/** A kwok `Stage` object (kwok.x-k8s.io/v1alpha1), loosely typed: kwok validates it. */
export interface KwokStage {
  apiVersion: "kwok.x-k8s.io/v1alpha1";
  kind: "Stage";
  metadata: { name: string };
  spec: {
    resourceRef: { apiGroup: string; kind: string };
    selector?: { matchLabels?: Record<string, string>; matchExpressions?: KwokSelectorRequirement[] };
    delay?: Record<string, unknown>;
    next?: Record<string, unknown>;
    [key: string]: unknown;
  };
}

export interface KwokSelectorRequirement {
  key: string;
  operator: "In" | "NotIn" | "Exists" | "DoesNotExist";
  values?: string[];
}

function isStage(value: unknown): value is KwokStage {
  return typeof value === "object" && value !== null && (value as { kind?: unknown }).kind === "Stage";
}

/** Reads the upstream stages that were copied next to the kwok binary at build time. */
export async function loadUpstreamStages(kwokBinaryDir: string): Promise<KwokStage[]> {
  const stages: KwokStage[] = [];
  for (const file of KWOK_STAGE_FILES) {
    const name = file.split("/").at(-1) ?? file;
    for (const doc of loadAll(await readFile(join(kwokBinaryDir, "stages", name), "utf8"))) {
      if (!isStage(doc)) throw new Error(`${name}: expected kwok Stage documents`);
      stages.push(doc);
    }
  }
  return stages;
}

const labelKey = (label: string) => `.metadata.labels["${label}"]`;

/**
 * A jq expression (kwok v0.8.0 selector keys are gojq queries: pkg/utils/expression/selector.go, where
 * `DoesNotExist` matches when the query yields no non-null value) that yields the image of every container running
 * MySQL or the KFP API server. Pods with such a container are left to the data-store simulator
 * (data-store-simulation.ts), which decides from their data directory whether they start.
 */
export const DATA_STORE_CONTAINERS_KEY = `.spec.containers[] | .image | select(test("${MYSQL_IMAGE_PATTERN}") or test("${KFP_API_SERVER_IMAGE_PATTERN}"))`;

/** A jq expression yielding the image of every container of a pod whose image carries UNPULLABLE_IMAGE_MARKER. */
const UNPULLABLE_CONTAINERS_KEY = `.spec.containers[] | .image | select(contains("${UNPULLABLE_IMAGE_MARKER}"))`;

/**
 * What the kubelet shows for a pod one of whose images cannot be pulled: the pod stays Pending, not Ready; that
 * container waits with reason `ImagePullBackOff` and the message `Back-off pulling image "<image>"` (the kubelet's
 * wording, pkg/kubelet/images/image_manager.go), the others run. Documented behaviour:
 * https://kubernetes.io/docs/concepts/containers/images/#imagepullbackoff ("the kubelet … will keep trying to pull
 * the image, with an increasing back-off delay") and
 * https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/#container-state-waiting (a Waiting container
 * shows a Reason). It cannot show the real back-off timing, the ErrImagePull/ImagePullBackOff alternation or the
 * kubelet's `Failed`/`BackOff` events: the reason is set once and kept.
 */
const UNPULLABLE_IMAGE_STAGE: KwokStage = {
  apiVersion: "kwok.x-k8s.io/v1alpha1",
  kind: "Stage",
  metadata: { name: "pod-image-pull-backoff" },
  spec: {
    resourceRef: { apiGroup: "v1", kind: "Pod" },
    selector: {
      matchExpressions: [
        { key: UNPULLABLE_CONTAINERS_KEY, operator: "Exists" },
        { key: ".metadata.deletionTimestamp", operator: "DoesNotExist" },
        { key: ".status.phase", operator: "In", values: ["Pending"] },
        // Once set, the status stays: without this the stage would match its own result again and again.
        {
          key: '.status.containerStatuses[]? | select(.state.waiting.reason == "ImagePullBackOff") | .name',
          operator: "DoesNotExist",
        },
      ],
    },
    next: {
      statusTemplate: `{{ $now := Now }}
conditions:
- lastTransitionTime: {{ $now | Quote }}
  status: "True"
  type: PodScheduled
- lastTransitionTime: {{ $now | Quote }}
  status: "True"
  type: Initialized
- lastTransitionTime: {{ $now | Quote }}
  status: "False"
  reason: ContainersNotReady
  message: "containers with unready status: [{{ range .spec.containers }}{{ if contains "${UNPULLABLE_IMAGE_MARKER}" .image }}{{ .name }} {{ end }}{{ end }}]"
  type: Ready
- lastTransitionTime: {{ $now | Quote }}
  status: "False"
  reason: ContainersNotReady
  type: ContainersReady
containerStatuses:
{{ range .spec.containers }}
- image: {{ .image | Quote }}
  name: {{ .name | Quote }}
  restartCount: 0
{{ if contains "${UNPULLABLE_IMAGE_MARKER}" .image }}
  ready: false
  started: false
  state:
    waiting:
      reason: ImagePullBackOff
      message: {{ printf "Back-off pulling image %q" .image | Quote }}
{{ else }}
  ready: true
  started: true
  state:
    running:
      startedAt: {{ $now | Quote }}
{{ end }}
{{ end }}
phase: Pending
`,
    },
  },
};

/** Running, scheduled, containers started but not ready: what a pod with a failing readiness probe looks like. */
const NEVER_READY_STAGE: KwokStage = {
  apiVersion: "kwok.x-k8s.io/v1alpha1",
  kind: "Stage",
  metadata: { name: "pod-never-ready" },
  spec: {
    resourceRef: { apiGroup: "v1", kind: "Pod" },
    selector: {
      matchExpressions: [
        { key: labelKey(NEVER_READY_LABEL), operator: "Exists" },
        { key: ".metadata.deletionTimestamp", operator: "DoesNotExist" },
        { key: ".status.phase", operator: "In", values: ["Pending"] },
      ],
    },
    next: {
      statusTemplate: `{{ $now := Now }}
conditions:
- lastTransitionTime: {{ $now | Quote }}
  status: "True"
  type: Initialized
- lastTransitionTime: {{ $now | Quote }}
  status: "False"
  reason: ContainersNotReady
  message: "containers with unready status (${NEVER_READY_LABEL})"
  type: Ready
- lastTransitionTime: {{ $now | Quote }}
  status: "False"
  reason: ContainersNotReady
  type: ContainersReady
containerStatuses:
{{ range .spec.containers }}
- image: {{ .image | Quote }}
  name: {{ .name | Quote }}
  ready: false
  started: true
  restartCount: 0
  state:
    running:
      startedAt: {{ $now | Quote }}
{{ end }}
{{ $hostIPs := NodeIPsWith .spec.nodeName }}
{{ with $hostIPs }}
hostIP: {{ index . 0 | Quote }}
hostIPs:
{{ range . }}
- ip: {{ . | Quote }}
{{ end }}
{{ end }}
{{ $podIPs := PodIPsWith .spec.nodeName ( or .spec.hostNetwork false ) ( or .metadata.uid "" ) ( or .metadata.name "" ) ( or .metadata.namespace "" ) }}
{{ with $podIPs }}
podIP: {{ index . 0 | Quote }}
podIPs:
{{ range . }}
- ip: {{ . | Quote }}
{{ end }}
{{ end }}
phase: Running
startTime: {{ $now | Quote }}
`,
    },
  },
};

/**
 * The stage set every cluster runs: upstream node-initialize, node-heartbeat-with-lease, pod-complete and pod-delete
 * (without it namespaces never finish deleting), pod-ready patched to skip never-ready pods and data-store pods
 * (MySQL, KFP API server: the data-store simulator plays their kubelet) and to honour the ready-delay annotation,
 * plus pod-never-ready (which still takes never-ready data-store pods: they never start on their data) and
 * pod-image-pull-backoff (pods with an UNPULLABLE_IMAGE_MARKER image; pod-ready skips them). `extra` stages are appended; one named like a default replaces it.
 */
export function clusterStages(upstream: readonly KwokStage[], extra: readonly KwokStage[] = []): KwokStage[] {
  const stages = upstream.map((stage): KwokStage => {
    if (stage.metadata.name !== "pod-ready") return stage;
    const matchExpressions = [
      ...(stage.spec.selector?.matchExpressions ?? []),
      { key: labelKey(NEVER_READY_LABEL), operator: "DoesNotExist" as const },
      { key: DATA_STORE_CONTAINERS_KEY, operator: "DoesNotExist" as const },
      { key: UNPULLABLE_CONTAINERS_KEY, operator: "DoesNotExist" as const },
    ];
    return {
      ...stage,
      spec: {
        ...stage.spec,
        selector: { ...stage.spec.selector, matchExpressions },
        // A missing annotation falls back to durationMilliseconds (0): ready at once.
        delay: {
          durationMilliseconds: 0,
          durationFrom: { jq: { expression: `.metadata.annotations["${READY_DELAY_ANNOTATION}"]` } },
        },
      },
    };
  });
  const all = [...stages, NEVER_READY_STAGE, UNPULLABLE_IMAGE_STAGE];
  const extraNames = new Set(extra.map((stage) => stage.metadata.name));
  return [...all.filter((stage) => !extraNames.has(stage.metadata.name)), ...extra];
}

export function stagesToYaml(stages: readonly KwokStage[]): string {
  return stages.map((stage) => dump(stage, { lineWidth: -1, noRefs: true })).join("---\n");
}
