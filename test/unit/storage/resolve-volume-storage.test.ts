import { describe, expect, it } from "vitest";
import type { Platform, VolumeStorage } from "../../../src/app/kfp-app.js";
import { UsageError } from "../../../src/errors.js";
import { type ResolvedStorage, resolveVolumeStorage } from "../../../src/storage/resolve-volume-storage.js";

const gcp: Platform = { type: "gcp", project: "p", zone: "z" };
const generic: Platform = { type: "generic" };
const label = "MySQL volume (mysql-pv-claim)";

describe("resolveVolumeStorage", () => {
  const cases: { name: string; storage: VolumeStorage; platform: Platform; resolved: ResolvedStorage }[] = [
    {
      name: "nothing: the default StorageClass",
      storage: {},
      platform: generic,
      resolved: { mode: "default", note: null },
    },
    {
      name: "a PV name",
      storage: { pvName: "kfp-mysql" },
      platform: generic,
      resolved: { mode: "pvName", pvName: "kfp-mysql", note: null },
    },
    {
      name: "a StorageClass",
      storage: { storageClass: "fast" },
      platform: generic,
      resolved: { mode: "storageClass", storageClass: "fast", note: null },
    },
    {
      name: "a GCP disk on gcp",
      storage: { gcpDisk: "kf-storage-metadata-store" },
      platform: gcp,
      resolved: { mode: "gcpDisk", disk: "kf-storage-metadata-store", note: null },
    },
    {
      name: "a GCP disk wins over a PV name, and says so",
      storage: { gcpDisk: "kf-storage-metadata-store", pvName: "kfp-mysql" },
      platform: gcp,
      resolved: {
        mode: "gcpDisk",
        disk: "kf-storage-metadata-store",
        note: 'MySQL volume (mysql-pv-claim): GCP disk "kf-storage-metadata-store" wins over PV name "kfp-mysql" (as in kfctl\'s params)',
      },
    },
  ];
  it.each(cases)("$name", ({ storage, platform, resolved }) => {
    expect(resolveVolumeStorage(label, storage, platform)).toEqual(resolved);
  });

  const refused = [
    {
      name: "a StorageClass and a PV name",
      storage: { storageClass: "fast", pvName: "kfp-mysql" },
      platform: generic,
      code: "STORAGE_CONFLICT",
      message:
        'MySQL volume (mysql-pv-claim): a StorageClass ("fast") and a PV name ("kfp-mysql") were both given',
    },
    {
      name: "a StorageClass and a GCP disk",
      storage: { storageClass: "fast", gcpDisk: "d" },
      platform: gcp,
      code: "STORAGE_CONFLICT",
      message: 'MySQL volume (mysql-pv-claim): a StorageClass ("fast") and a GCP disk ("d") were both given',
    },
    {
      name: "a GCP disk on a generic platform",
      storage: { gcpDisk: "d" },
      platform: generic,
      code: "PD_ON_NON_GCP",
      message: 'MySQL volume (mysql-pv-claim): GCP disk "d" was given, but this app\'s platform is "generic"',
    },
  ];
  it.each(refused)("refuses $name", ({ storage, platform, code, message }) => {
    expect(() => resolveVolumeStorage(label, storage, platform)).toThrow(
      expect.objectContaining({ code, message, exitCode: 2 }),
    );
    expect(() => resolveVolumeStorage(label, storage, platform)).toThrow(UsageError);
  });
});
