import { KubeApiError } from "../../src/errors.js";
import { toKubeApiError, toServiceProxyError } from "../../src/kube/api-error.js";
import {
  type AccessCheck,
  type AccessResult,
  type ApplyOptions,
  type DeleteOptions,
  FIELD_MANAGER,
  type KubeClient,
  type ListOptions,
  type PatchType,
  type ServedKind,
  type ServerVersion,
  type ServiceProxyRequest,
  type WaitCheck,
  type WaitOptions,
  type WaitResult,
  type WriteOptions,
} from "../../src/kube/kube-client.js";
import { describeRef, type KubeObject, type ObjectRef, refOf } from "../../src/model/kube-object.js";

/**
 * An in-memory KubeClient for UNIT tests. It is honest about what the API server enforces, so code that passes
 * here does not fail on a real cluster for a reason the fake hid:
 * - uid, resourceVersion, generation and creationTimestamp are assigned; create of an existing object is 409
 *   AlreadyExists; replace with a stale resourceVersion is 409 Conflict; a UID delete precondition is checked;
 * - namespaced objects need their namespace, and a Terminating namespace accepts nothing new (403);
 * - PVC spec is immutable (a bound claim's storage request may only grow; an empty volumeName may be set once),
 *   a PV's volume source is immutable, a workload's spec.selector is immutable and must match the template (422);
 * - apiVersions the server does not serve are rejected (apiextensions.k8s.io/v1beta1 on a modern cluster);
 * - apply is a simplified server-side apply: fields are owned per manager (lists are atomic), a changed field
 *   owned by another manager is a 409 conflict unless forced, and fields kfp-upgrade applied before but no longer
 *   applies are removed;
 * - objects with finalizers linger with a deletionTimestamp until the last finalizer is removed.
 * With `managedFields: true` it also models field ownership as the API server shows it: reads carry
 * `metadata.managedFields` (FieldsV1, one entry per manager and operation, lists atomic), a field applied with the
 * value another manager set is shared (applying without it later leaves it while the other still owns it), and a
 * write that sets `managedFields` (a JSON patch replacing them) has them used as given; seeded objects that carry
 * `managedFields` are owned as those say.
 * It also plays a few controllers, synchronously and only on delete: the garbage collector (dependents whose owners
 * are all gone are deleted; Orphan strips the references) and the PV controller's reclaim of a deleted claim's
 * volume (Delete: the PV goes; Retain: Released). Namespace deletion stops at Terminating until a test calls
 * `finishNamespaceDeletion`. Bind claims with `bind`, play other controllers with `update`.
 * CRDs become Established when written (the API server's own apiextensions controller); other controllers are
 * up to the test, through `react`.
 * Every KubeClient call is recorded in `calls`; seeding and controller helpers are not.
 */

export interface FakeCall {
  method: string;
  ref?: ObjectRef;
  apiVersion?: string;
  kind?: string;
  options?: unknown;
  body?: unknown;
}

export interface FakeKubeClientOptions {
  context?: string | null;
  defaultNamespace?: string;
  cluster?: string;
  user?: string | null;
  /** Built-in group versions served; Established CRDs add theirs. */
  servedApiVersions?: string[];
  serverVersion?: ServerVersion;
  now?: () => Date;
  /** Play the apiextensions controller: CRDs become Established as soon as they are written. Default true. */
  establishCrds?: boolean;
  /** Model `metadata.managedFields` and shared field ownership as the API server does (see above). Default false. */
  managedFields?: boolean;
}

/** A successful (non-dry-run) write through the KubeClient interface, as reactors see it. */
export interface FakeWrite {
  verb: "apply" | "create" | "replace" | "patch" | "delete";
  /** The object as stored after the write (as it was, for a delete). */
  object: KubeObject;
}
/** What a proxied service answers: 2xx returns `body`; any other status is the service's error answer. */
export interface FakeServiceAnswer {
  status?: number;
  body?: unknown;
}
/** Plays the process behind a Service's pods for `serviceProxyGet`. */
export type FakeServiceHandler = (request: ServiceProxyRequest) => FakeServiceAnswer;

/** Plays a controller: runs synchronously after each write; may call `fake.update`, `fake.bind`, …. */
export type FakeReactor = (write: FakeWrite, fake: FakeKubeClient) => void;

export const DEFAULT_SERVED_API_VERSIONS = [
  "admissionregistration.k8s.io/v1",
  "apiextensions.k8s.io/v1",
  "apps/v1",
  "authorization.k8s.io/v1",
  "batch/v1",
  "coordination.k8s.io/v1",
  "networking.k8s.io/v1",
  "policy/v1",
  "rbac.authorization.k8s.io/v1",
  "scheduling.k8s.io/v1",
  "storage.k8s.io/v1",
  "v1",
];

const CLUSTER_SCOPED = new Set([
  "Namespace",
  "Node",
  "PersistentVolume",
  "StorageClass",
  "CSIDriver",
  "CSINode",
  "VolumeAttachment",
  "CustomResourceDefinition",
  "ClusterRole",
  "ClusterRoleBinding",
  "PriorityClass",
  "IngressClass",
  "RuntimeClass",
  "APIService",
  "MutatingWebhookConfiguration",
  "ValidatingWebhookConfiguration",
]);
const SELECTOR_KINDS = new Set(["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"]);
const PV_NOT_SOURCE = new Set([
  "accessModes",
  "capacity",
  "claimRef",
  "mountOptions",
  "nodeAffinity",
  "persistentVolumeReclaimPolicy",
  "storageClassName",
  "volumeMode",
  "volumeAttributesClassName",
]);

type Json = Record<string, unknown>;
type Path = string[];
interface Owner {
  manager: string;
  operation: "Apply" | "Update";
}
/** Owners of each leaf field (JSON-encoded path); several when managers set the same value (shared ownership). */
type Owners = Map<string, Owner[]>;
interface Stored {
  object: KubeObject;
  owners: Owners;
}
type Listener = () => void;

export class FakeKubeClient implements KubeClient {
  readonly context: string | null;
  readonly defaultNamespace: string;
  readonly cluster: string;
  readonly user: string | null;
  readonly calls: FakeCall[] = [];

  private readonly store = new Map<string, Stored>();
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly collectionListeners = new Set<Listener>();
  private readonly denials: { match: Partial<AccessCheck>; reason: string }[] = [];
  private readonly builtinVersions: string[];
  private readonly version: ServerVersion;
  private readonly now: () => Date;
  private readonly reactors: FakeReactor[] = [];
  private readonly tracksManagedFields: boolean;
  private readonly services = new Map<string, FakeServiceHandler>();
  private counter = 0;

  constructor(options: FakeKubeClientOptions = {}) {
    this.context = options.context === undefined ? "fake" : options.context;
    this.defaultNamespace = options.defaultNamespace ?? "default";
    this.cluster = options.cluster ?? "https://fake.invalid:6443";
    this.user = options.user === undefined ? "fake-user" : options.user;
    this.builtinVersions = options.servedApiVersions ?? DEFAULT_SERVED_API_VERSIONS;
    this.version = options.serverVersion ?? { gitVersion: "v1.34.0", major: 1, minor: 34 };
    this.now = options.now ?? (() => new Date("2026-01-01T00:00:00Z"));
    this.tracksManagedFields = options.managedFields === true;
    if (options.establishCrds !== false) this.react(establishCrd);
  }

  /** Adds a controller stand-in, run after every write made through the client (e.g. mark Deployments ready). */
  react(reactor: FakeReactor): this {
    this.reactors.push(reactor);
    return this;
  }

  // ---- test helpers (not recorded as calls) ----

  /** Puts objects in the store as they are (no validation), owned by `manager`; uid/resourceVersion filled in. */
  seed(objects: KubeObject[], options: { manager?: string } = {}): this {
    for (const object of objects) {
      const copy = this.stamp(structuredClone(object), null);
      if (copy.kind === "Secret" && copy.stringData) {
        copy.data = withoutServerFields(copy).data;
        delete copy.stringData;
      }
      if (this.namespaced(copy) && !copy.metadata.namespace) copy.metadata.namespace = this.defaultNamespace;
      const given = copy.metadata.managedFields;
      if (this.tracksManagedFields) delete copy.metadata.managedFields;
      this.store.set(this.key(refOf(copy)), {
        object: copy,
        owners:
          this.tracksManagedFields && Array.isArray(given)
            ? ownersFromManagedFields(copy, given)
            : ownersOf(copy, options.manager ?? "kubectl"),
      });
      this.notify(this.key(refOf(copy)));
    }
    return this;
  }

  /** The stored object, without recording a call. */
  peek(ref: ObjectRef): KubeObject | null {
    const stored = this.store.get(this.key(this.withNamespace(ref)));
    return stored ? structuredClone(stored.object) : null;
  }

  /** Every stored object, sorted by kind, namespace and name. */
  all(): KubeObject[] {
    return [...this.store.values()]
      .map((stored) => structuredClone(stored.object))
      .sort((a, b) => compare(sortKey(a), sortKey(b)));
  }

  /** Acts as a controller: mutates the object in place (status, spec), bumps resourceVersion, notifies watchers. */
  update(
    ref: ObjectRef,
    mutate: (object: KubeObject) => void,
    options: { manager?: string } = {},
  ): KubeObject {
    const key = this.key(this.withNamespace(ref));
    const stored = this.store.get(key);
    if (!stored) throw new Error(`fake: ${describeRef(ref)} does not exist`);
    const next = structuredClone(stored.object);
    mutate(next);
    this.commit(key, stored, next, options.manager ?? "kube-controller-manager", "Update");
    return structuredClone(next);
  }

  /** The PV controller binding a claim to a volume: claim spec.volumeName + Bound, volume claimRef + Bound. */
  bind(claim: { namespace: string; name: string }, volumeName: string): void {
    const claimRef: ObjectRef = { apiVersion: "v1", kind: "PersistentVolumeClaim", ...claim };
    const uid = this.peek(claimRef)?.metadata.uid;
    this.update({ apiVersion: "v1", kind: "PersistentVolume", name: volumeName }, (volume) => {
      const spec = record(volume, "spec");
      spec.claimRef = { apiVersion: "v1", kind: "PersistentVolumeClaim", ...claim, uid };
      record(volume, "status").phase = "Bound";
    });
    this.update(claimRef, (object) => {
      record(object, "spec").volumeName = volumeName;
      record(object, "status").phase = "Bound";
    });
  }

  /** The namespace controller: removes everything in a Terminating namespace (finalizers too), then the namespace. */
  finishNamespaceDeletion(name: string): void {
    for (const [key, stored] of [...this.store]) {
      if (stored.object.metadata.namespace === name) this.remove(key, "Background");
    }
    this.remove(this.key({ apiVersion: "v1", kind: "Namespace", name }), "Background");
  }

  /** Makes canI answer "no" for every check that matches all fields of `match`. */
  deny(match: Partial<AccessCheck>, reason = ""): this {
    this.denials.push({ match, reason });
    return this;
  }

  /**
   * Plays the process listening behind Service `namespace/service` (any of its ports) for `serviceProxyGet`. It is
   * reached, as through a real API server, only while the Service exists and selects a Ready pod.
   */
  serveService(target: { namespace: string; service: string }, handler: FakeServiceHandler): this {
    this.services.set(JSON.stringify([target.namespace, target.service]), handler);
    return this;
  }

  callsOf(method: string): FakeCall[] {
    return this.calls.filter((call) => call.method === method);
  }

  // ---- KubeClient ----

  requestCount(): number {
    return this.calls.length;
  }

  async get(ref: ObjectRef): Promise<KubeObject | null> {
    this.record({ method: "get", ref });
    if (!this.serves(ref.apiVersion)) return null;
    const stored = this.store.get(this.key(this.withNamespace(ref)));
    return stored ? this.view(stored, ref.apiVersion) : null;
  }

  async list(apiVersion: string, kind: string, options: ListOptions = {}): Promise<KubeObject[]> {
    this.record({ method: "list", apiVersion, kind, options });
    return this.select(apiVersion, kind, options);
  }

  async listMetadata(apiVersion: string, kind: string, options: ListOptions = {}): Promise<KubeObject[]> {
    this.record({ method: "listMetadata", apiVersion, kind, options });
    return this.select(apiVersion, kind, options).map((object) => ({
      apiVersion,
      kind,
      metadata: object.metadata,
    }));
  }

  async apply(object: KubeObject, options: ApplyOptions): Promise<KubeObject> {
    const ref = this.withNamespace(refOf(object));
    this.record({ method: "apply", ref, options, body: structuredClone(object) });
    this.requireServed("apply", ref);
    const key = this.key(ref);
    const stored = this.store.get(key);
    const applied = withoutServerFields(object);
    setNamespace(applied, ref.namespace);
    if (!stored) {
      this.requireNamespace("apply", ref);
      this.validateNew("apply", ref, applied);
      const created = this.stamp(applied, null);
      const entry = { object: created, owners: ownersOf(created, FIELD_MANAGER, "Apply") };
      const result = this.view(entry, ref.apiVersion);
      if (!options.dryRun) {
        this.store.set(key, entry);
        this.notify(key);
        this.afterWrite("apply", key);
      }
      return result;
    }
    this.checkResourceVersion("apply", ref, object, stored.object);
    const appliedLeaves = leaves(applied);
    const others = (path: string) =>
      (stored.owners.get(path) ?? []).filter((owner) => owner.manager !== FIELD_MANAGER);
    const conflicts = [...appliedLeaves].filter(
      ([path, value]) =>
        others(path).length > 0 && !deepEqual(value, getPath(stored.object, JSON.parse(path))),
    );
    if (conflicts.length > 0 && !options.force) {
      const detail = conflicts
        .map(([path]) => `conflict with "${others(path)[0]?.manager}": .${JSON.parse(path).join(".")}`)
        .join("\n");
      const count = conflicts.length === 1 ? "1 conflict" : `${conflicts.length} conflicts`;
      throw this.error("apply", ref, 409, "Conflict", `Apply failed with ${count}: ${detail}`);
    }
    const next = structuredClone(stored.object);
    const owners: Owners = new Map(stored.owners);
    const isOurApply = (owner: Owner) => owner.manager === FIELD_MANAGER && owner.operation === "Apply";
    for (const [path, pathOwners] of stored.owners) {
      if (!pathOwners.some(isOurApply) || appliedLeaves.has(path)) continue;
      // A field no longer applied goes only when no other manager still owns it.
      const remaining = pathOwners.filter((owner) => !isOurApply(owner));
      if (remaining.length > 0) owners.set(path, remaining);
      else {
        deletePath(next, JSON.parse(path));
        owners.delete(path);
      }
    }
    const conflicting = new Set(conflicts.map(([path]) => path));
    for (const [path, value] of appliedLeaves) {
      setPath(next, JSON.parse(path), structuredClone(value));
      const ours: Owner = { manager: FIELD_MANAGER, operation: "Apply" };
      // Without managedFields modelled, the applier simply becomes the owner (the simplified model).
      const kept =
        this.tracksManagedFields && !conflicting.has(path)
          ? (stored.owners.get(path) ?? []).filter((owner) => !isOurApply(owner))
          : [];
      owners.set(path, [...kept, ours]);
    }
    this.validateUpdate("apply", ref, stored.object, next);
    if (options.dryRun) {
      return this.view({ object: this.stamp(next, stored.object), owners }, ref.apiVersion);
    }
    this.commitWithOwners(key, stored, next, owners);
    const result = this.view(this.storedAt(key, next), ref.apiVersion);
    this.afterWrite("apply", key);
    return result;
  }

  async create(object: KubeObject, options: WriteOptions = {}): Promise<KubeObject> {
    const ref = this.withNamespace(refOf(object));
    this.record({ method: "create", ref, options, body: structuredClone(object) });
    this.requireServed("create", ref);
    const key = this.key(ref);
    if (this.store.has(key)) {
      throw this.error(
        "create",
        ref,
        409,
        "AlreadyExists",
        `${this.resourceName(ref)} "${ref.name}" already exists`,
      );
    }
    this.requireNamespace("create", ref);
    if (object.metadata.resourceVersion) {
      throw this.error(
        "create",
        ref,
        500,
        "InternalError",
        "resourceVersion should not be set on objects to be created",
      );
    }
    const created = this.stamp(withoutServerFields(object), null);
    setNamespace(created, ref.namespace);
    this.validateNew("create", ref, created);
    const entry = { object: created, owners: ownersOf(created, FIELD_MANAGER) };
    const result = this.view(entry, ref.apiVersion);
    if (!options.dryRun) {
      this.store.set(key, entry);
      this.notify(key);
      this.afterWrite("create", key);
    }
    return result;
  }

  async replace(object: KubeObject, options: WriteOptions = {}): Promise<KubeObject> {
    const ref = this.withNamespace(refOf(object));
    this.record({ method: "replace", ref, options, body: structuredClone(object) });
    this.requireServed("replace", ref);
    const key = this.key(ref);
    const stored = this.store.get(key);
    if (!stored) throw this.notFound("replace", ref);
    this.checkResourceVersion("replace", ref, object, stored.object);
    const next = withoutServerFields(object);
    next.metadata.resourceVersion = object.metadata.resourceVersion;
    setNamespace(next, ref.namespace);
    // The server keeps identity and, for the main resource, status.
    next.metadata.uid = stored.object.metadata.uid;
    next.metadata.creationTimestamp = stored.object.metadata.creationTimestamp;
    if (stored.object.status !== undefined) next.status = structuredClone(stored.object.status);
    else delete next.status;
    this.validateUpdate("replace", ref, stored.object, next);
    if (options.dryRun) {
      return this.view({ object: this.stamp(next, stored.object), owners: stored.owners }, ref.apiVersion);
    }
    this.commit(key, stored, next, FIELD_MANAGER, "Update");
    const result = this.view(this.storedAt(key, next), ref.apiVersion);
    this.afterWrite("replace", key);
    return result;
  }

  async patch(
    ref: ObjectRef,
    body: unknown,
    type: PatchType,
    options: WriteOptions = {},
  ): Promise<KubeObject> {
    const full = this.withNamespace(ref);
    this.record({ method: "patch", ref: full, options: { type, ...options }, body: structuredClone(body) });
    this.requireServed("patch", full);
    const key = this.key(full);
    const stored = this.store.get(key);
    if (!stored) throw this.notFound("patch", full);
    let next: KubeObject;
    const current = this.view(stored, full.apiVersion);
    try {
      next = applyPatch(current, body, type) as KubeObject;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw this.error(
        "patch",
        full,
        422,
        "Invalid",
        `the server rejected our request due to an error in our request: ${message}`,
      );
    }
    this.checkResourceVersion("patch", full, next, stored.object);
    next.metadata.uid = stored.object.metadata.uid;
    next.metadata.name = stored.object.metadata.name;
    setNamespace(next, stored.object.metadata.namespace);
    next.apiVersion = stored.object.apiVersion;
    // The API server uses managedFields a write sets as given (then records the write's own changes on top).
    let base = stored.owners;
    if (this.tracksManagedFields) {
      const sent = next.metadata.managedFields;
      delete next.metadata.managedFields;
      if (Array.isArray(sent) && sent.length > 0 && !deepEqual(sent, current.metadata.managedFields)) {
        base = ownersFromManagedFields(next, sent);
      }
    }
    this.validateUpdate("patch", full, stored.object, next);
    if (options.dryRun) {
      return this.view({ object: this.stamp(next, stored.object), owners: base }, full.apiVersion);
    }
    this.commit(key, stored, next, FIELD_MANAGER, "Update", base);
    const result = this.view(this.storedAt(key, next), full.apiVersion);
    this.afterWrite("patch", key, next);
    return result;
  }

  async delete(ref: ObjectRef, options: DeleteOptions = {}): Promise<boolean> {
    const full = this.withNamespace(ref);
    this.record({ method: "delete", ref: full, options });
    if (!this.serves(full.apiVersion)) return false;
    const key = this.key(full);
    const stored = this.store.get(key);
    if (!stored) return false;
    if (options.uid && options.uid !== stored.object.metadata.uid) {
      throw this.error(
        "delete",
        full,
        409,
        "Conflict",
        `Operation cannot be fulfilled on ${this.resourceName(full)} "${full.name}": Precondition failed: UID in precondition: ${options.uid}, UID in object meta: ${String(stored.object.metadata.uid)}`,
      );
    }
    if (options.dryRun) return true;
    if (full.kind === "Namespace") {
      const next = structuredClone(stored.object);
      next.metadata.deletionTimestamp ??= this.now().toISOString();
      record(next, "status").phase = "Terminating";
      this.commitWithOwners(key, stored, next, stored.owners);
      this.afterWrite("delete", key, stored.object);
      return true;
    }
    const finalizers = stored.object.metadata.finalizers;
    if (Array.isArray(finalizers) && finalizers.length > 0) {
      const next = structuredClone(stored.object);
      next.metadata.deletionTimestamp ??= this.now().toISOString();
      this.commitWithOwners(key, stored, next, stored.owners);
      this.afterWrite("delete", key, stored.object);
      return true;
    }
    this.remove(key, options.propagationPolicy ?? "Background");
    this.afterWrite("delete", key, stored.object);
    return true;
  }

  waitFor(ref: ObjectRef, check: WaitCheck, options: WaitOptions): Promise<WaitResult> {
    const full = this.withNamespace(ref);
    this.record({ method: "waitFor", ref: full, options: { timeoutSeconds: options.timeoutSeconds } });
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(signal.reason);
    const key = this.key(full);
    return new Promise((resolve, reject) => {
      let lastMessage: string | null = null;
      let current: KubeObject | null = null;
      const listeners = this.listeners.get(key) ?? new Set<Listener>();
      this.listeners.set(key, listeners);
      const finish = (settle: () => void) => {
        clearTimeout(timer);
        listeners.delete(evaluate);
        signal?.removeEventListener("abort", onAbort);
        settle();
      };
      const evaluate = () => {
        const stored = this.store.get(key);
        current = stored ? this.view(stored, full.apiVersion) : null;
        let verdict: ReturnType<WaitCheck>;
        try {
          verdict = check(current);
        } catch (error) {
          finish(() => reject(error));
          return;
        }
        if (verdict.message !== lastMessage) {
          lastMessage = verdict.message;
          options.onProgress?.(verdict.message);
        }
        const object = current;
        if (verdict.done) {
          finish(() => resolve({ ok: verdict.ok, timedOut: false, message: verdict.message, object }));
        }
      };
      const onAbort = () => finish(() => reject(signal?.reason));
      const timer = setTimeout(() => {
        const object = current;
        finish(() => resolve({ ok: false, timedOut: true, message: lastMessage ?? "never checked", object }));
      }, options.timeoutSeconds * 1000);
      signal?.addEventListener("abort", onAbort, { once: true });
      listeners.add(evaluate);
      evaluate();
    });
  }

  /** Calls `onChange` with the selected objects now and after every write to the store, until `signal` aborts. */
  watchList(
    apiVersion: string,
    kind: string,
    options: ListOptions,
    onChange: (objects: readonly KubeObject[]) => void,
    signal: AbortSignal,
  ): Promise<void> {
    this.record({ method: "watchList", apiVersion, kind, options });
    if (signal.aborted) return Promise.resolve();
    return new Promise((resolve, reject) => {
      let last: string | undefined;
      const listener = () => {
        const objects = this.select(apiVersion, kind, options);
        const key = JSON.stringify(objects);
        if (key === last) return;
        last = key;
        try {
          onChange(objects);
        } catch (error) {
          finish();
          reject(error);
        }
      };
      const finish = () => {
        this.collectionListeners.delete(listener);
        signal.removeEventListener("abort", onAbort);
      };
      const onAbort = () => {
        finish();
        resolve();
      };
      signal.addEventListener("abort", onAbort, { once: true });
      this.collectionListeners.add(listener);
      listener();
    });
  }

  async servedApiVersions(): Promise<string[]> {
    this.record({ method: "servedApiVersions" });
    return this.served();
  }

  async waitServed(kinds: readonly ServedKind[]): Promise<ServedKind[]> {
    this.record({ method: "waitServed", body: structuredClone(kinds) });
    return kinds.filter((served) => !this.serves(served.apiVersion));
  }

  async serverVersion(): Promise<ServerVersion> {
    this.record({ method: "serverVersion" });
    return { ...this.version };
  }

  async canI(checks: AccessCheck[]): Promise<AccessResult[]> {
    this.record({ method: "canI", body: structuredClone(checks) });
    return checks.map((check) => {
      const denial = this.denials.find(({ match }) =>
        Object.entries(match).every(([field, value]) => check[field as keyof AccessCheck] === value),
      );
      return { check, allowed: !denial, reason: denial ? denial.reason || null : null };
    });
  }

  async serviceProxyGet(request: ServiceProxyRequest): Promise<unknown> {
    this.record({ method: "serviceProxyGet", options: structuredClone(request) });
    const fail = (statusCode: number, body: unknown) => {
      throw toServiceProxyError({ statusCode, body }, request, this.cluster);
    };
    const status = (code: number, reason: string, message: string) =>
      fail(code, { kind: "Status", apiVersion: "v1", status: "Failure", message, reason, code });
    const service = this.store.get(
      this.key({ apiVersion: "v1", kind: "Service", namespace: request.namespace, name: request.service }),
    )?.object;
    if (!service) return status(404, "NotFound", `services "${request.service}" not found`);
    const ports = Array.isArray(read(service, "spec").ports) ? (read(service, "spec").ports as Json[]) : [];
    const port = String(request.port);
    const byNumber = /^\d+$/.test(port);
    if (byNumber && !ports.some((entry) => String(entry.port) === port)) {
      return status(
        503,
        "ServiceUnavailable",
        `no service port ${port} found for service "${request.service}"`,
      );
    }
    const selector = read(service, "spec").selector as Record<string, string> | undefined;
    const ready = [...this.store.values()].some(
      ({ object }) =>
        object.kind === "Pod" &&
        object.metadata.namespace === request.namespace &&
        !object.metadata.deletionTimestamp &&
        selector !== undefined &&
        Object.entries(selector).every(([key, value]) => object.metadata.labels?.[key] === value) &&
        podReady(object),
    );
    if (!ready || (!byNumber && !ports.some((entry) => entry.name === port))) {
      return status(503, "ServiceUnavailable", `no endpoints available for service "${request.service}"`);
    }
    const handler = this.services.get(JSON.stringify([request.namespace, request.service]));
    if (!handler) {
      return status(503, "ServiceUnavailable", "error trying to reach service: connect: connection refused");
    }
    const answer = handler(structuredClone(request));
    const code = answer.status ?? 200;
    if (code < 200 || code >= 300) return fail(code, answer.body);
    return structuredClone(answer.body);
  }

  // ---- internals ----

  private afterWrite(verb: FakeWrite["verb"], key: string, fallback?: KubeObject): void {
    const object = this.store.get(key)?.object ?? fallback;
    if (!object) return;
    for (const reactor of this.reactors) reactor({ verb, object: structuredClone(object) }, this);
  }

  private record(call: FakeCall): void {
    this.calls.push(call);
  }

  private served(): string[] {
    const versions = new Set(this.builtinVersions);
    for (const { object } of this.store.values()) {
      if (object.kind !== "CustomResourceDefinition" || !established(object)) continue;
      const spec = read(object, "spec");
      for (const version of Array.isArray(spec.versions) ? (spec.versions as Json[]) : []) {
        if (version.served !== false) versions.add(`${String(spec.group)}/${String(version.name)}`);
      }
    }
    return [...versions].sort();
  }

  private serves(apiVersion: string): boolean {
    return this.served().includes(apiVersion);
  }

  private requireServed(verb: string, ref: ObjectRef): void {
    if (this.serves(ref.apiVersion)) return;
    throw new KubeApiError(
      `${verb} ${describeRef(ref)}: the API server does not serve kind ${ref.kind} in ${ref.apiVersion}`,
      { statusCode: 404, reason: "NotFound", code: "KUBE_KIND_NOT_SERVED" },
    );
  }

  private select(apiVersion: string, kind: string, options: ListOptions): KubeObject[] {
    if (!this.serves(apiVersion)) this.requireServed("list", { apiVersion, kind, name: "" });
    const group = groupOf(apiVersion);
    const namespaced = this.namespaced({ apiVersion, kind });
    const labels = options.labelSelector ? parseLabelSelector(options.labelSelector) : [];
    const fields = options.fieldSelector ? parseFieldSelector(options.fieldSelector) : [];
    return [...this.store.values()]
      .filter(({ object }) => object.kind === kind && groupOf(object.apiVersion) === group)
      .filter(
        ({ object }) => !namespaced || !options.namespace || object.metadata.namespace === options.namespace,
      )
      .filter(({ object }) => labels.every((requirement) => requirement(object.metadata.labels ?? {})))
      .filter(({ object }) => fields.every((requirement) => requirement(object)))
      .sort((a, b) => compare(sortKey(a.object), sortKey(b.object)))
      .map((stored) => this.view(stored, apiVersion));
  }

  private namespaced(ref: { apiVersion: string; kind: string }): boolean {
    if (CLUSTER_SCOPED.has(ref.kind)) return false;
    const group = groupOf(ref.apiVersion);
    for (const { object } of this.store.values()) {
      if (object.kind !== "CustomResourceDefinition") continue;
      const spec = read(object, "spec");
      if (spec.group === group && read(spec, "names").kind === ref.kind) return spec.scope !== "Cluster";
    }
    return true;
  }

  private withNamespace(ref: ObjectRef): ObjectRef {
    const namespaced = this.namespaced(ref);
    return {
      apiVersion: ref.apiVersion,
      kind: ref.kind,
      name: ref.name,
      namespace: namespaced ? ref.namespace || this.defaultNamespace : undefined,
    };
  }

  private key(ref: ObjectRef): string {
    return JSON.stringify([groupOf(ref.apiVersion), ref.kind, ref.namespace ?? "", ref.name]);
  }

  private view(stored: Stored, apiVersion: string): KubeObject {
    const object: KubeObject = { ...structuredClone(stored.object), apiVersion };
    if (this.tracksManagedFields) {
      object.metadata.managedFields = managedFieldsOf(stored.owners, stored.object.apiVersion, this.now());
    }
    return object;
  }

  /** The stored entry under `key`, or `object` unowned when a write removed it (a delete that finished). */
  private storedAt(key: string, object: KubeObject): Stored {
    return this.store.get(key) ?? { object, owners: new Map() };
  }

  private stamp(object: KubeObject, previous: KubeObject | null): KubeObject {
    this.counter++;
    const metadata = object.metadata;
    metadata.uid = previous?.metadata.uid ?? metadata.uid ?? fakeUid(this.counter);
    metadata.resourceVersion = String(this.counter);
    metadata.creationTimestamp =
      previous?.metadata.creationTimestamp ?? metadata.creationTimestamp ?? this.now().toISOString();
    const previousGeneration =
      typeof previous?.metadata.generation === "number" ? previous.metadata.generation : 0;
    metadata.generation =
      previous && deepEqual(previous.spec, object.spec) ? previousGeneration || 1 : previousGeneration + 1;
    return object;
  }

  private commit(
    key: string,
    stored: Stored,
    next: KubeObject,
    manager: string,
    operation: Owner["operation"],
    base: Owners = stored.owners,
  ): void {
    const owners: Owners = new Map(base);
    const before = leaves(withoutServerFields(stored.object));
    const after = leaves(withoutServerFields(next));
    for (const path of new Set([...before.keys(), ...after.keys()])) {
      if (!after.has(path)) owners.delete(path);
      else if (!deepEqual(before.get(path), after.get(path))) owners.set(path, [{ manager, operation }]);
    }
    this.commitWithOwners(key, stored, next, owners);
  }

  private commitWithOwners(key: string, stored: Stored, next: KubeObject, owners: Owners): void {
    const finalizers = next.metadata.finalizers;
    this.stamp(next, stored.object);
    // A Namespace waits for the namespace controller (spec.finalizers: ["kubernetes"]), i.e. finishNamespaceDeletion.
    const lingers = next.kind === "Namespace" || (Array.isArray(finalizers) && finalizers.length > 0);
    if (next.metadata.deletionTimestamp && !lingers) {
      this.store.set(key, { object: next, owners });
      this.remove(key, "Background");
      return;
    }
    this.store.set(key, { object: next, owners });
    this.notify(key);
  }

  private remove(key: string, propagation: DeleteOptions["propagationPolicy"]): void {
    const stored = this.store.get(key);
    if (!stored) return;
    this.store.delete(key);
    this.notify(key);
    const uid = stored.object.metadata.uid;
    if (stored.object.kind === "PersistentVolumeClaim") this.reclaimVolumeOf(stored.object);
    for (const [dependentKey, dependent] of [...this.store]) {
      const owners = Array.isArray(dependent.object.metadata.ownerReferences)
        ? (dependent.object.metadata.ownerReferences as Json[])
        : [];
      if (!owners.some((owner) => owner.uid === uid)) continue;
      if (propagation === "Orphan") {
        const next = structuredClone(dependent.object);
        next.metadata.ownerReferences = owners.filter((owner) => owner.uid !== uid);
        this.commitWithOwners(dependentKey, dependent, next, dependent.owners);
        continue;
      }
      const remaining = owners.filter((owner) => owner.uid !== uid && this.uidExists(owner.uid));
      if (remaining.length === 0) this.remove(dependentKey, propagation);
    }
  }

  // The PV controller: a deleted claim's volume is deleted (reclaim Delete) or Released (Retain).
  private reclaimVolumeOf(claim: KubeObject): void {
    for (const [key, stored] of [...this.store]) {
      if (stored.object.kind !== "PersistentVolume") continue;
      const spec = read(stored.object, "spec");
      const claimRef = spec.claimRef as Json | undefined;
      if (!claimRef || claimRef.uid !== claim.metadata.uid) continue;
      if (spec.persistentVolumeReclaimPolicy === "Delete") {
        this.remove(key, "Background");
      } else {
        const next = structuredClone(stored.object);
        record(next, "status").phase = "Released";
        this.commitWithOwners(key, stored, next, stored.owners);
      }
    }
  }

  private uidExists(uid: unknown): boolean {
    return [...this.store.values()].some((stored) => stored.object.metadata.uid === uid);
  }

  private notify(key: string): void {
    for (const listener of [...(this.listeners.get(key) ?? [])]) listener();
    for (const listener of [...this.collectionListeners]) listener();
  }

  private requireNamespace(verb: string, ref: ObjectRef): void {
    if (!ref.namespace) return;
    const namespace = this.store.get(this.key({ apiVersion: "v1", kind: "Namespace", name: ref.namespace }));
    if (!namespace) throw this.error(verb, ref, 404, "NotFound", `namespaces "${ref.namespace}" not found`);
    if (namespace.object.metadata.deletionTimestamp) {
      throw this.error(
        verb,
        ref,
        403,
        "Forbidden",
        `${this.resourceName(ref)} "${ref.name}" is forbidden: unable to create new content in namespace ${ref.namespace} because it is being terminated`,
      );
    }
  }

  private checkResourceVersion(verb: string, ref: ObjectRef, sent: KubeObject, stored: KubeObject): void {
    const wanted = sent.metadata.resourceVersion;
    if (wanted && wanted !== stored.metadata.resourceVersion) {
      throw this.error(
        verb,
        ref,
        409,
        "Conflict",
        `Operation cannot be fulfilled on ${this.resourceName(ref)} "${ref.name}": the object has been modified; please apply your changes to the latest version and try again`,
      );
    }
  }

  private validateNew(verb: string, ref: ObjectRef, object: KubeObject): void {
    if (SELECTOR_KINDS.has(ref.kind)) {
      const spec = read(object, "spec");
      const matchLabels = (spec.selector as Json | undefined)?.matchLabels as
        | Record<string, string>
        | undefined;
      if (!spec.selector) throw this.invalid(verb, ref, "spec.selector: Required value");
      const templateLabels = (read(read(spec, "template"), "metadata").labels ?? {}) as Record<
        string,
        string
      >;
      const matches = Object.entries(matchLabels ?? {}).every(
        ([key, value]) => templateLabels[key] === value,
      );
      if (!matches) {
        throw this.invalid(
          verb,
          ref,
          `spec.template.metadata.labels: Invalid value: ${goMap(templateLabels)}: \`selector\` does not match template \`labels\``,
        );
      }
    }
  }

  private validateUpdate(verb: string, ref: ObjectRef, before: KubeObject, after: KubeObject): void {
    this.validateNew(verb, ref, after);
    const oldSpec = structuredClone(read(before, "spec"));
    const newSpec = structuredClone(read(after, "spec"));
    if (SELECTOR_KINDS.has(ref.kind) && !deepEqual(oldSpec.selector, newSpec.selector)) {
      throw this.invalid(
        verb,
        ref,
        `spec.selector: Invalid value: ${goSelector(newSpec.selector)}: field is immutable`,
      );
    }
    if (ref.kind === "PersistentVolumeClaim") {
      const bound = read(before, "status").phase === "Bound";
      const oldStorage = getPath(oldSpec, ["resources", "requests", "storage"]);
      const newStorage = getPath(newSpec, ["resources", "requests", "storage"]);
      if (bound && newStorage !== undefined) {
        if (bytes(newStorage) < bytes(oldStorage)) {
          throw this.invalid(
            verb,
            ref,
            "spec.resources.requests.storage: Forbidden: field can not be less than previous value",
          );
        }
        setPath(newSpec, ["resources", "requests", "storage"], oldStorage);
      }
      if (!oldSpec.volumeName) oldSpec.volumeName = newSpec.volumeName;
      if (!deepEqual(pruneUndefined(oldSpec), pruneUndefined(newSpec))) {
        throw this.invalid(
          verb,
          ref,
          "spec: Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims",
        );
      }
    }
    if (ref.kind === "PersistentVolume") {
      const source = (spec: Json) =>
        Object.fromEntries(Object.entries(spec).filter(([key]) => !PV_NOT_SOURCE.has(key)));
      if (!deepEqual(source(oldSpec), source(newSpec))) {
        throw this.invalid(
          verb,
          ref,
          "spec.persistentvolumesource: Forbidden: spec.persistentvolumesource is immutable after creation",
        );
      }
    }
  }

  private invalid(verb: string, ref: ObjectRef, detail: string): KubeApiError {
    const group = groupOf(ref.apiVersion);
    return this.error(
      verb,
      ref,
      422,
      "Invalid",
      `${ref.kind}${group ? `.${group}` : ""} "${ref.name}" is invalid: ${detail}`,
    );
  }

  private notFound(verb: string, ref: ObjectRef): KubeApiError {
    return this.error(verb, ref, 404, "NotFound", `${this.resourceName(ref)} "${ref.name}" not found`);
  }

  private error(
    verb: string,
    ref: ObjectRef,
    statusCode: number,
    reason: string,
    message: string,
  ): KubeApiError {
    return toKubeApiError(
      { statusCode, body: { kind: "Status", status: "Failure", code: statusCode, reason, message } },
      { verb, ref, server: this.cluster },
    );
  }

  private resourceName(ref: ObjectRef): string {
    const group = groupOf(ref.apiVersion);
    return `${plural(ref.kind)}${group ? `.${group}` : ""}`;
  }
}

// ---- built-in controller stand-ins ----

function establishCrd({ verb, object }: FakeWrite, fake: FakeKubeClient): void {
  if (verb === "delete" || object.kind !== "CustomResourceDefinition" || established(object)) return;
  fake.update(
    refOf(object),
    (crd) => {
      const conditions = [
        { type: "NamesAccepted", status: "True", reason: "NoConflicts" },
        { type: "Established", status: "True", reason: "InitialNamesAccepted" },
      ];
      crd.status = { acceptedNames: read(crd, "spec").names ?? {}, conditions, storedVersions: [] };
    },
    { manager: "kube-apiserver" },
  );
}

// ---- pure helpers ----

function podReady(pod: KubeObject): boolean {
  const conditions = read(pod, "status").conditions;
  return (
    Array.isArray(conditions) &&
    conditions.some((condition: Json) => condition.type === "Ready" && condition.status === "True")
  );
}

function fakeUid(counter: number): string {
  return `00000000-0000-4000-8000-${counter.toString(16).padStart(12, "0")}`;
}

function groupOf(apiVersion: string): string {
  return apiVersion.includes("/") ? (apiVersion.split("/")[0] ?? "") : "";
}

function plural(kind: string): string {
  const lower = kind.toLowerCase();
  if (lower.endsWith("s")) return `${lower}es`;
  if (lower.endsWith("y")) return `${lower.slice(0, -1)}ies`;
  return `${lower}s`;
}

function established(crd: KubeObject): boolean {
  const conditions = read(crd, "status").conditions;
  return (
    Array.isArray(conditions) &&
    conditions.some((condition: Json) => condition.type === "Established" && condition.status === "True")
  );
}

function sortKey(object: KubeObject): string {
  return `${object.kind}\u0000${object.metadata.namespace ?? ""}\u0000${object.metadata.name}`;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A sub-record of `parent` for reading; a fresh empty one (not attached) if missing. */
function read(parent: unknown, key: string): Json {
  const value = isPlainObject(parent) ? parent[key] : undefined;
  return isPlainObject(value) ? value : {};
}

function setNamespace(object: KubeObject, namespace: string | undefined): void {
  if (namespace) object.metadata.namespace = namespace;
  else delete object.metadata.namespace;
}

/** A mutable sub-record of `parent`, created if missing. */
function record(parent: unknown, key: string): Json {
  const container = parent as Json;
  const value = container[key];
  if (typeof value === "object" && value !== null && !Array.isArray(value)) return value as Json;
  const created: Json = {};
  container[key] = created;
  return created;
}

/** What the server does to every written object: drop server-owned fields; Secret stringData becomes data. */
function withoutServerFields(object: KubeObject): KubeObject {
  const copy = structuredClone(object);
  if (copy.kind === "Secret" && isPlainObject(copy.stringData)) {
    const data = isPlainObject(copy.data) ? copy.data : {};
    for (const [key, value] of Object.entries(copy.stringData)) {
      data[key] = Buffer.from(String(value)).toString("base64");
    }
    copy.data = data;
    delete copy.stringData;
  }
  delete copy.status;
  const metadata = copy.metadata as Json;
  for (const field of [
    "uid",
    "resourceVersion",
    "generation",
    "creationTimestamp",
    "managedFields",
    "deletionTimestamp",
  ]) {
    delete metadata[field];
  }
  return copy;
}

const IDENTITY_PATHS = new Set([
  JSON.stringify(["apiVersion"]),
  JSON.stringify(["kind"]),
  JSON.stringify(["metadata", "name"]),
  JSON.stringify(["metadata", "namespace"]),
]);

/** Leaf fields as JSON-encoded paths; lists are atomic leaves (real SSA merges some lists by key). */
function leaves(object: unknown, path: Path = [], out = new Map<string, unknown>()): Map<string, unknown> {
  if (isPlainObject(object) && (Object.keys(object).length > 0 || path.length === 0)) {
    for (const [key, value] of Object.entries(object)) {
      if (value !== undefined) leaves(value, [...path, key], out);
    }
  } else {
    const encoded = JSON.stringify(path);
    if (!IDENTITY_PATHS.has(encoded)) out.set(encoded, object);
  }
  return out;
}

function ownersOf(object: KubeObject, manager: string, operation: Owner["operation"] = "Update"): Owners {
  const owners: Owners = new Map();
  for (const path of leaves(withoutServerFields(object)).keys()) owners.set(path, [{ manager, operation }]);
  return owners;
}

/**
 * `managedFields` as the API server would show them for `owners`: one FieldsV1 entry per manager and operation.
 * The fake keeps lists atomic, so a list is owned as a whole (`f:containers: {}`).
 */
function managedFieldsOf(owners: Owners, apiVersion: string, now: Date): Json[] {
  const entries = new Map<string, { owner: Owner; fields: Json }>();
  for (const [path, pathOwners] of owners) {
    for (const owner of pathOwners) {
      const id = `${owner.manager}\u0000${owner.operation}`;
      const entry = entries.get(id) ?? { owner, fields: {} };
      entries.set(id, entry);
      let node = entry.fields;
      for (const key of JSON.parse(path) as Path) node = record(node, `f:${key}`);
    }
  }
  return [...entries.values()]
    .sort((a, b) => compare(a.owner.manager + a.owner.operation, b.owner.manager + b.owner.operation))
    .map(({ owner, fields }) => ({
      manager: owner.manager,
      operation: owner.operation,
      apiVersion,
      time: now.toISOString().replace(/\.\d+Z$/, "Z"),
      fieldsType: "FieldsV1",
      fieldsV1: fields,
    }));
}

/** Who owns each leaf of `object` according to `managedFields` (main resource only; a list is one leaf). */
function ownersFromManagedFields(object: KubeObject, managedFields: unknown[]): Owners {
  const owners: Owners = new Map();
  const entries = managedFields.filter(
    (entry): entry is Json => isPlainObject(entry) && !entry.subresource && isPlainObject(entry.fieldsV1),
  );
  for (const path of leaves(withoutServerFields(object)).keys()) {
    const pathOwners = entries
      .filter((entry) => {
        let node: unknown = entry.fieldsV1;
        for (const key of JSON.parse(path) as Path) {
          node = isPlainObject(node) ? node[`f:${key}`] : undefined;
          if (node === undefined) return false;
        }
        return true;
      })
      .map((entry) => ({
        manager: String(entry.manager),
        operation: entry.operation === "Apply" ? ("Apply" as const) : ("Update" as const),
      }));
    if (pathOwners.length > 0) owners.set(path, pathOwners);
  }
  return owners;
}

function getPath(object: unknown, path: Path): unknown {
  let current = object;
  for (const key of path) {
    if (!isPlainObject(current)) return undefined;
    current = current[key];
  }
  return current;
}

function setPath(object: unknown, path: Path, value: unknown): void {
  let current = object as Json;
  path.forEach((key, index) => {
    if (index === path.length - 1) current[key] = value;
    else current = record(current, key);
  });
}

function deletePath(object: unknown, path: Path): void {
  const parents: Json[] = [];
  let current = object;
  for (const key of path.slice(0, -1)) {
    if (!isPlainObject(current)) return;
    parents.push(current);
    current = current[key];
  }
  if (!isPlainObject(current)) return;
  delete current[path[path.length - 1] ?? ""];
  // Drop maps the removal left empty.
  for (let index = parents.length - 1; index >= 0; index--) {
    const key = path[index] ?? "";
    const child = parents[index]?.[key];
    if (isPlainObject(child) && Object.keys(child).length === 0) delete parents[index]?.[key];
  }
}

function isPlainObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((item, i) => deepEqual(item, b[i]));
  if (isPlainObject(a) && isPlainObject(b)) {
    const keysA = Object.keys(a).filter((key) => a[key] !== undefined);
    const keysB = Object.keys(b).filter((key) => b[key] !== undefined);
    return keysA.length === keysB.length && keysA.every((key) => deepEqual(a[key], b[key]));
  }
  return false;
}

function pruneUndefined(value: Json): Json {
  return JSON.parse(JSON.stringify(value)) as Json;
}

function bytes(quantity: unknown): number {
  const match = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|k|M|G|T)?$/.exec(String(quantity ?? "0"));
  if (!match) return 0;
  const units: Record<string, number> = {
    Ki: 2 ** 10,
    Mi: 2 ** 20,
    Gi: 2 ** 30,
    Ti: 2 ** 40,
    k: 1e3,
    M: 1e6,
    G: 1e9,
    T: 1e12,
  };
  return Number(match[1]) * (match[2] ? (units[match[2]] ?? 1) : 1);
}

function goMap(labels: Record<string, string>): string {
  return `map[string]string{${Object.entries(labels)
    .map(([key, value]) => `"${key}":"${value}"`)
    .join(", ")}}`;
}

function goSelector(selector: unknown): string {
  const matchLabels = (isPlainObject(selector) ? selector.matchLabels : undefined) as
    | Record<string, string>
    | undefined;
  return `v1.LabelSelector{MatchLabels:${goMap(matchLabels ?? {})}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}`;
}

// ---- patches ----

function applyPatch(target: unknown, body: unknown, type: PatchType): unknown {
  if (type === "json") return jsonPatch(target, body);
  return mergePatch(target, body, type === "strategic");
}

/** RFC 7386; `strategic` also merges lists of named objects (containers, env, volumes, …) by name. */
function mergePatch(target: unknown, patch: unknown, strategic: boolean): unknown {
  if (!isPlainObject(patch)) {
    if (
      strategic &&
      Array.isArray(patch) &&
      Array.isArray(target) &&
      isNamedList(patch) &&
      isNamedList(target)
    ) {
      const merged = target.map((item) => structuredClone(item));
      for (const item of patch as Json[]) {
        const index = merged.findIndex((existing) => (existing as Json).name === item.name);
        if (item.$patch === "delete") {
          if (index >= 0) merged.splice(index, 1);
        } else if (index >= 0) {
          merged[index] = mergePatch(merged[index], item, true);
        } else {
          merged.push(item);
        }
      }
      return merged;
    }
    return structuredClone(patch);
  }
  const result: Json = isPlainObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value, strategic);
  }
  return result;
}

function isNamedList(list: unknown[]): boolean {
  return list.length > 0 && list.every((item) => isPlainObject(item) && typeof item.name === "string");
}

/** RFC 6902: add, remove, replace, test, move, copy. */
function jsonPatch(target: unknown, operations: unknown): unknown {
  if (!Array.isArray(operations)) throw new Error("a JSON patch must be a list of operations");
  let document = target;
  for (const operation of operations as Json[]) {
    const path = pointer(String(operation.path ?? ""));
    switch (operation.op) {
      case "add":
        document = pointerAdd(document, path, structuredClone(operation.value));
        break;
      case "remove":
        pointerRemove(document, path);
        break;
      case "replace":
        pointerRemove(document, path);
        document = pointerAdd(document, path, structuredClone(operation.value));
        break;
      case "test":
        if (!deepEqual(pointerGet(document, path), operation.value)) {
          throw new Error(`testing value ${String(operation.path)} failed`);
        }
        break;
      case "move":
      case "copy": {
        const from = pointer(String(operation.from ?? ""));
        const value = structuredClone(pointerGet(document, from));
        if (operation.op === "move") pointerRemove(document, from);
        document = pointerAdd(document, path, value);
        break;
      }
      default:
        throw new Error(`unsupported JSON patch operation ${String(operation.op)}`);
    }
  }
  return document;
}

function pointer(text: string): Path {
  if (text === "") return [];
  return text
    .slice(1)
    .split("/")
    .map((part) => part.replaceAll("~1", "/").replaceAll("~0", "~"));
}

function pointerGet(document: unknown, path: Path): unknown {
  let current = document;
  for (const key of path) {
    if (Array.isArray(current)) current = current[Number(key)];
    else if (isPlainObject(current)) current = current[key];
    else throw new Error(`path /${path.join("/")} does not exist`);
    if (current === undefined) throw new Error(`path /${path.join("/")} does not exist`);
  }
  return current;
}

function pointerAdd(document: unknown, path: Path, value: unknown): unknown {
  if (path.length === 0) return value;
  const parent = pointerGet(document, path.slice(0, -1));
  const key = path[path.length - 1] ?? "";
  if (Array.isArray(parent)) {
    const index = key === "-" ? parent.length : Number(key);
    if (!Number.isInteger(index) || index < 0 || index > parent.length) throw new Error(`bad index ${key}`);
    parent.splice(index, 0, value);
  } else if (isPlainObject(parent)) {
    parent[key] = value;
  } else {
    throw new Error(`path /${path.join("/")} does not exist`);
  }
  return document;
}

function pointerRemove(document: unknown, path: Path): void {
  const parent = pointerGet(document, path.slice(0, -1));
  const key = path[path.length - 1] ?? "";
  pointerGet(document, path);
  if (Array.isArray(parent)) parent.splice(Number(key), 1);
  else if (isPlainObject(parent)) delete parent[key];
}

// ---- selectors ----

type LabelRequirement = (labels: Record<string, string>) => boolean;

/** Equality- and set-based label selectors: `a=b`, `a==b`, `a!=b`, `a`, `!a`, `a in (x,y)`, `a notin (x)`. */
export function parseLabelSelector(selector: string): LabelRequirement[] {
  const parts = selector.match(/[^,(]+(\([^)]*\))?/g) ?? [];
  return parts
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part): LabelRequirement => {
      const set = /^([^\s!=]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(part);
      if (set) {
        const [, key = "", operator, values = ""] = set;
        const allowed = new Set(values.split(",").map((value) => value.trim()));
        return operator === "in"
          ? (labels) => key in labels && allowed.has(labels[key] ?? "")
          : (labels) => !(key in labels) || !allowed.has(labels[key] ?? "");
      }
      const unequal = /^([^\s!=]+)\s*!=\s*(\S*)$/.exec(part);
      if (unequal) return (labels) => labels[unequal[1] ?? ""] !== unequal[2];
      const equal = /^([^\s!=]+)\s*==?\s*(\S*)$/.exec(part);
      if (equal) return (labels) => labels[equal[1] ?? ""] === equal[2];
      if (part.startsWith("!")) return (labels) => !(part.slice(1) in labels);
      if (/^[^\s!=]+$/.test(part)) return (labels) => part in labels;
      throw new Error(`fake: unsupported label selector ${JSON.stringify(selector)}`);
    });
}

function parseFieldSelector(selector: string): ((object: KubeObject) => boolean)[] {
  return selector.split(",").map((part) => {
    const match = /^([\w.]+)\s*(!=|==|=)\s*(.*)$/.exec(part.trim());
    if (!match) throw new Error(`fake: unsupported field selector ${JSON.stringify(selector)}`);
    const [, field = "", operator, value] = match;
    return (object) => {
      const actual = getPath(object, field.split("."));
      const equal = String(actual ?? "") === value;
      return operator === "!=" ? !equal : equal;
    };
  });
}
