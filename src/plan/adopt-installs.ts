import { PreflightRefusal } from "../errors.js";
import type { ClusterSnapshot, HelmReleaseState } from "../model/cluster-snapshot.js";
import { adoptableManagers, installerOf, isAdoptable, type ObjectOwnership } from "../model/field-owners.js";
import type { KubeObject } from "../model/kube-object.js";
import type { Step } from "./step.js";
import type { PlannedStep, StepDraft } from "./step-list.js";
import { plannedOf } from "./step-list.js";

export interface AdoptionInput {
  snapshot: ClusterSnapshot;
  /** The plan's steps, as built. */
  steps: Step[];
  /** `--adopt`: take over an install a Helm release or a GitOps controller tracks. */
  adopt: boolean;
  /** The release the plan ends at, for the warnings. */
  to: string;
}

export interface AdoptionRefusal {
  code: "HELM_MANAGED" | "GITOPS_MANAGED";
  problems: string[];
  hint: string;
}

export interface Adoption {
  /** Takes over the fields other appliers own, before the first write; null when there is nothing to adopt. */
  adopt: StepDraft | null;
  /** One per Helm release, at the end of the plan. */
  forget: StepDraft[];
  warnings: string[];
  /** Without `--adopt`: a Helm release or a GitOps controller tracks the install. */
  refusal: AdoptionRefusal | null;
}

/** Never adopted: the claims and volumes (data), whatever tool made them. Credential Secrets are never applied. */
const NEVER_ADOPTED = new Set(["PersistentVolumeClaim", "PersistentVolume"]);

interface Touched {
  apiVersion: string;
  kind: string;
  name: string;
  namespace: string | null;
  /** Applied or recreated (its fields are taken over); false for Deployments whose images are only set. */
  applied: boolean;
}

/**
 * Who else installed what this plan writes. Objects that exist and whose fields other appliers own (kubectl, Helm,
 * kpt, …) are adopted before the first write, so that a later server-side apply removes what a new release drops
 * (kubectl's `exec` probe next to 2.14.4's `httpGet`). A Helm release's or a GitOps controller's install is refused
 * without `--adopt`; with it, Helm's release is forgotten at the end and the controller is warned about.
 */
export function adoptInstalls(input: AdoptionInput): Adoption {
  const { snapshot } = input;
  const touched = touchedObjects(input.steps);
  const owned = touched.flatMap((object) => {
    const entry = ownershipFor(snapshot.ownership, object);
    return entry ? [{ object, entry }] : [];
  });

  const adopted = owned.filter(
    ({ object, entry }) =>
      object.applied && !NEVER_ADOPTED.has(object.kind) && adoptableManagers(entry).length > 0,
  );
  const adopt: StepDraft | null =
    adopted.length === 0
      ? null
      : {
          kind: "adoptObjects",
          from: sorted(adopted.flatMap(({ entry }) => adoptableManagers(entry))),
          installers: sorted(
            adopted.flatMap(({ entry }) =>
              entry.managers
                .filter(isAdoptable)
                .map(installerOf)
                .map((word) =>
                  word === "Helm" && entry.helmRelease ? `Helm release ${entry.helmRelease.name}` : word,
                ),
            ),
          ),
          objects: adopted.map(({ entry }) => ({
            apiVersion: entry.apiVersion,
            kind: entry.kind,
            name: entry.name,
            ...(entry.namespace === null ? {} : { namespace: entry.namespace }),
          })),
        };

  // The claims count too: `helm uninstall` would delete a claim its release made, with the data on a Delete PV.
  const claims = snapshot.ownership.filter(
    (entry) => entry.kind === "PersistentVolumeClaim" && entry.namespace === snapshot.namespace.name,
  );
  const releases = helmReleasesOf([...owned.map(({ entry }) => entry), ...claims], snapshot);
  const gitOps = gitOpsOwnersOf(owned.map(({ entry }) => entry));
  const warnings: string[] = [];
  const forget: StepDraft[] = [];
  if (!input.adopt && (releases.length > 0 || gitOps.length > 0)) {
    return { adopt, forget, warnings, refusal: refusalFor(releases, gitOps) };
  }
  for (const release of releases) {
    const unmark = snapshot.ownership
      .filter(
        (entry) =>
          entry.helmRelease?.name === release.name && entry.helmRelease.namespace === release.namespace,
      )
      .map((entry) => ({
        apiVersion: entry.apiVersion,
        kind: entry.kind,
        name: entry.name,
        ...(entry.namespace === null ? {} : { namespace: entry.namespace }),
      }));
    forget.push({
      kind: "forgetHelmRelease",
      release: release.name,
      namespace: release.namespace,
      records: release.records,
      unmark,
    });
    warnings.push(
      `--adopt: Helm release ${release.name} (namespace ${release.namespace}) is forgotten once the upgrade is done: its ${release.records.length} release record${release.records.length === 1 ? "" : "s"} (no KFP data) ${release.records.length === 1 ? "is" : "are"} deleted and Helm's marks removed from ${unmark.length} object${unmark.length === 1 ? "" : "s"}, so \`helm list\` no longer shows it and \`helm uninstall ${release.name}\` cannot delete KFP's claims`,
    );
  }
  for (const owner of gitOps) {
    warnings.push(
      `--adopt: ${owner.what} manages this install: keep it suspended, or point it at KFP ${input.to}'s manifests before resuming it, or it reverts the upgrade`,
    );
  }
  return { adopt, forget, warnings, refusal: null };
}

/**
 * The plan with the adoption in place: `adoptObjects` after the data's protection (Retain) and before the first
 * write, `forgetHelmRelease` at the very end, once everything about the data is recorded, so a failure there leaves
 * a finished upgrade that `resume` completes.
 */
export function placeAdoption(steps: Step[], adoption: Adoption): PlannedStep[] {
  const planned = steps.map(plannedOf);
  if (adoption.adopt) {
    const first = planned.findIndex(
      (step) => step.draft.kind !== "setReclaimPolicy" && step.draft.kind !== "retainClaimVolumes",
    );
    planned.splice(first < 0 ? planned.length : first, 0, { draft: adoption.adopt });
  }
  for (const draft of adoption.forget) planned.push({ draft });
  return planned;
}

/** The refusal, thrown: nothing has changed yet. */
export function adoptionRefusal(what: string, refusal: AdoptionRefusal): PreflightRefusal {
  const [first] = refusal.problems;
  return new PreflightRefusal(
    refusal.code,
    refusal.problems.length === 1 && first
      ? `${what}: ${first}`
      : `${what}: ${refusal.problems.length} problems`,
    { hint: refusal.hint, details: refusal.problems.length === 1 ? [] : refusal.problems },
  );
}

function refusalFor(releases: HelmReleaseState[], gitOps: GitOpsOwner[]): AdoptionRefusal {
  const problems = [
    ...releases.map(
      (release) =>
        `the install belongs to Helm release ${release.name} (namespace ${release.namespace}, ${release.records.length} release record${release.records.length === 1 ? "" : "s"}): \`helm upgrade\` or \`helm uninstall\` would undo or delete what this upgrade does, KFP's claims included`,
    ),
    ...gitOps.map(
      (owner) =>
        `the install is managed by ${owner.what}: the controller would revert the upgrade or fight over its fields`,
    ),
  ];
  const helmHint =
    releases.length === 0
      ? ""
      : `Run again with --adopt to take the install over from Helm: kfp-upgrade takes ownership of its objects, then deletes the release records (${releases.map((r) => `sh.helm.release.v1.${r.name}.v*`).join(", ")}, which hold no KFP data) and removes Helm's marks from every object, so a later \`helm uninstall\` cannot delete KFP's claims. `;
  const gitOpsHint =
    gitOps.length === 0
      ? ""
      : `Suspend the controller first (${gitOps.map((owner) => `\`${owner.suspend}\``).join(", ")}), then run again with --adopt; keep it suspended, or point it at the new release before resuming it. `;
  return {
    code: releases.length > 0 ? "HELM_MANAGED" : "GITOPS_MANAGED",
    problems,
    hint: `${helmHint}${gitOpsHint}Nothing was changed.`,
  };
}

/** Objects the plan applies, recreates or sets images on, each once, in plan order. */
function touchedObjects(steps: Step[]): Touched[] {
  const seen = new Map<string, Touched>();
  const add = (object: Omit<Touched, "applied">, applied: boolean) => {
    const key = identity(object);
    const known = seen.get(key);
    if (known) known.applied ||= applied;
    else seen.set(key, { ...object, applied });
  };
  const fromObject = (object: KubeObject) => ({
    apiVersion: object.apiVersion,
    kind: object.kind,
    name: object.metadata.name,
    namespace: object.metadata.namespace ?? null,
  });
  for (const step of steps) {
    if (step.kind === "applyObjects") for (const { object } of step.objects) add(fromObject(object), true);
    if (step.kind === "recreateDeployment") add(fromObject(step.object), true);
    if (step.kind === "setImages") {
      add(
        { apiVersion: "apps/v1", kind: "Deployment", name: step.deployment, namespace: step.namespace },
        false,
      );
    }
  }
  return [...seen.values()];
}

/** The live object of the same group, kind, name and namespace (any version: the server converts). */
function ownershipFor(
  ownership: ObjectOwnership[],
  object: Omit<Touched, "applied">,
): ObjectOwnership | null {
  const key = identity(object);
  return ownership.find((entry) => identity(entry) === key) ?? null;
}

function identity(object: {
  apiVersion: string;
  kind: string;
  name: string;
  namespace: string | null;
}): string {
  const slash = object.apiVersion.indexOf("/");
  const group = slash < 0 ? "" : object.apiVersion.slice(0, slash);
  return `${group}/${object.kind}/${object.namespace ?? ""}/${object.name}`;
}

/** The Helm releases whose marks the plan's objects carry, with their records (none when they could not be read). */
function helmReleasesOf(entries: ObjectOwnership[], snapshot: ClusterSnapshot): HelmReleaseState[] {
  const named = new Map<string, { name: string; namespace: string }>();
  for (const { helmRelease } of entries) {
    if (helmRelease) named.set(`${helmRelease.namespace}/${helmRelease.name}`, helmRelease);
  }
  return [...named.entries()]
    .sort(([a], [b]) => compareText(a, b))
    .map(
      ([, release]) =>
        snapshot.helmReleases.find((r) => r.name === release.name && r.namespace === release.namespace) ?? {
          ...release,
          records: [],
        },
    );
}

interface GitOpsOwner {
  what: string;
  suspend: string;
}

function gitOpsOwnersOf(entries: ObjectOwnership[]): GitOpsOwner[] {
  const owners = new Map<string, GitOpsOwner>();
  for (const entry of entries) {
    if (entry.argoCdApp) {
      owners.set(`argo/${entry.argoCdApp}`, {
        what: `Argo CD Application ${entry.argoCdApp}`,
        suspend: `argocd app set ${entry.argoCdApp} --sync-policy none`,
      });
    }
    if (entry.flux) {
      const { kind, name, namespace } = entry.flux;
      const command = kind === "Kustomization" ? "kustomization" : "helmrelease";
      owners.set(`flux/${kind}/${namespace}/${name}`, {
        what: `Flux ${kind} ${name}${namespace ? ` (namespace ${namespace})` : ""}`,
        suspend: `flux suspend ${command} ${name}${namespace ? ` -n ${namespace}` : ""}`,
      });
    }
  }
  return [...owners.entries()].sort(([a], [b]) => compareText(a, b)).map(([, owner]) => owner);
}

function sorted(values: string[]): string[] {
  return [...new Set(values)].sort(compareText);
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
