/** How a kind is addressed: `deployments`, namespaced. */
export interface ResourceInfo {
  kind: string;
  resource: string;
  namespaced: boolean;
}

export type FetchDiscovery = (path: string, accept: string) => Promise<unknown>;

// Aggregated discovery (GA in 1.30, beta since 1.26) returns every group, version and resource in two requests.
const AGGREGATED_ACCEPT = [
  "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList",
  "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList",
  "application/json",
].join(",");

/**
 * Maps apiVersion + kind to a REST resource, and lists served group versions. Uses aggregated discovery when the
 * server offers it, else falls back to one request per group version, fetched when first needed. A kind that is
 * not found triggers one fresh discovery (a CRD may just have been established).
 */
export class Discovery {
  private served: string[] | null = null;
  private readonly resources = new Map<string, Map<string, ResourceInfo>>();
  private readonly groupVersionLoads = new Map<string, Promise<void>>();
  private refreshing: Promise<string[]> | null = null;
  private aggregated = false;

  constructor(private readonly fetch: FetchDiscovery) {}

  /** Fresh discovery: every served `group/version` (core: `v1`), sorted. */
  servedApiVersions(): Promise<string[]> {
    this.refreshing ??= this.load().finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  /** What is known without a request (for error messages). */
  cached(apiVersion: string, kind: string): ResourceInfo | undefined {
    return this.resources.get(apiVersion)?.get(kind);
  }

  async resourceFor(apiVersion: string, kind: string): Promise<ResourceInfo | undefined> {
    const cached = this.resources.get(apiVersion)?.get(kind);
    if (cached) return cached;
    const fresh = this.served === null;
    if (fresh) await this.servedApiVersions();
    const found = await this.lookup(apiVersion, kind);
    if (found || fresh) return found;
    await this.servedApiVersions();
    return this.lookup(apiVersion, kind);
  }

  private async lookup(apiVersion: string, kind: string): Promise<ResourceInfo | undefined> {
    if (!this.aggregated && this.served?.includes(apiVersion)) await this.loadGroupVersion(apiVersion);
    return this.resources.get(apiVersion)?.get(kind);
  }

  private async load(): Promise<string[]> {
    const [core, groups] = await Promise.all([
      this.fetch("/api", AGGREGATED_ACCEPT),
      this.fetch("/apis", AGGREGATED_ACCEPT),
    ]);
    const served = new Set<string>();
    const resources = new Map<string, Map<string, ResourceInfo>>();
    let aggregated = true;
    for (const document of [core, groups]) {
      const record = asRecord(document);
      if (record?.kind === "APIGroupDiscoveryList") {
        readAggregated(record, served, resources);
      } else {
        aggregated = false;
        readLegacy(record, served);
      }
    }
    this.aggregated = aggregated;
    this.served = [...served].sort();
    this.groupVersionLoads.clear();
    this.resources.clear();
    for (const [groupVersion, kinds] of resources) this.resources.set(groupVersion, kinds);
    return this.served;
  }

  private loadGroupVersion(apiVersion: string): Promise<void> {
    let load = this.groupVersionLoads.get(apiVersion);
    if (!load) {
      const path = apiVersion.includes("/") ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
      load = this.fetch(path, "application/json").then(
        (document) => {
          const kinds = new Map<string, ResourceInfo>();
          for (const resource of arrayField(asRecord(document), "resources")) {
            const name = resource.name;
            if (typeof name !== "string" || name.includes("/") || typeof resource.kind !== "string") continue;
            kinds.set(resource.kind, {
              kind: resource.kind,
              resource: name,
              namespaced: resource.namespaced === true,
            });
          }
          this.resources.set(apiVersion, kinds);
        },
        (error: unknown) => {
          this.groupVersionLoads.delete(apiVersion);
          throw error;
        },
      );
      this.groupVersionLoads.set(apiVersion, load);
    }
    return load;
  }
}

function readAggregated(
  document: Record<string, unknown>,
  served: Set<string>,
  resources: Map<string, Map<string, ResourceInfo>>,
): void {
  for (const group of arrayField(document, "items")) {
    const name = asRecord(group.metadata)?.name;
    const groupName = typeof name === "string" ? name : "";
    for (const version of arrayField(group, "versions")) {
      if (typeof version.version !== "string") continue;
      const groupVersion = groupName ? `${groupName}/${version.version}` : version.version;
      served.add(groupVersion);
      const kinds = new Map<string, ResourceInfo>();
      for (const resource of arrayField(version, "resources")) {
        const kind = asRecord(resource.responseKind)?.kind;
        if (typeof kind !== "string" || typeof resource.resource !== "string") continue;
        kinds.set(kind, { kind, resource: resource.resource, namespaced: resource.scope === "Namespaced" });
      }
      resources.set(groupVersion, kinds);
    }
  }
}

function readLegacy(document: Record<string, unknown> | undefined, served: Set<string>): void {
  if (document?.kind === "APIVersions") {
    for (const version of Array.isArray(document.versions) ? document.versions : []) {
      if (typeof version === "string") served.add(version);
    }
    return;
  }
  for (const group of arrayField(document, "groups")) {
    for (const version of arrayField(group, "versions")) {
      if (typeof version.groupVersion === "string") served.add(version.groupVersion);
    }
  }
}

function arrayField(record: Record<string, unknown> | undefined, key: string): Record<string, unknown>[] {
  const value = record?.[key];
  return Array.isArray(value) ? value.filter((item) => asRecord(item) !== undefined) : [];
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}
