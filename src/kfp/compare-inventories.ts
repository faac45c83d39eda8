import { INVENTORY_KINDS, type InventoryKind, type KfpInventory, SINGULAR } from "./inventory.js";

export interface MissingObject {
  id: string;
  name: string;
}

/** Per kind, what `before` listed and `after` does not (matched by id, in `before`'s order). */
export type MissingObjects = Record<InventoryKind, MissingObject[]>;

/**
 * What went missing between two inventories. Only disappearance counts: new objects (a run started meanwhile,
 * the pipeline versions KFP 2.0 backfills for 1.x pipelines, the Default experiment a server creates) are fine.
 * Ids are the database's UUIDs, the same through v1beta1 and v2beta1, so a 1.x inventory compares with a 2.x one.
 */
export function compareInventories(before: KfpInventory, after: KfpInventory): MissingObjects {
  const missing = {} as MissingObjects;
  for (const kind of INVENTORY_KINDS) {
    const present = new Set(after[kind].map((object) => object.id));
    missing[kind] = before[kind]
      .filter((object) => !present.has(object.id))
      .map((object) => ({ id: object.id, name: object.name }));
  }
  return missing;
}

export function countMissing(missing: MissingObjects): number {
  return INVENTORY_KINDS.reduce((total, kind) => total + missing[kind].length, 0);
}

/** One line per missing object: `experiment "nightly" (id 3f2a…)`. */
export function describeMissing(missing: MissingObjects): string[] {
  return INVENTORY_KINDS.flatMap((kind) =>
    missing[kind].map((object) => `${SINGULAR[kind]} ${JSON.stringify(object.name)} (id ${object.id})`),
  );
}
