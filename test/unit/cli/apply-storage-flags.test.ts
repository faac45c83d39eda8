import { describe, expect, it } from "vitest";
import { defaultApp, type KfpApp } from "../../../src/app/kfp-app.js";
import { applyStorageFlags } from "../../../src/cli/apply-storage-flags.js";
import type { StorageFlags } from "../../../src/cli/global-options.js";
import { UsageError } from "../../../src/errors.js";

const app = (storage: KfpApp["storage"] = { mysql: {}, objectStore: {} }): KfpApp => ({
  ...defaultApp(),
  storage,
});

describe("applyStorageFlags", () => {
  const cases: { name: string; app: KfpApp; flags: StorageFlags; storage: KfpApp["storage"] }[] = [
    {
      name: "no flags keep the app's storage",
      app: app({ mysql: { pvName: "a" }, objectStore: { gcpDisk: "d" } }),
      flags: {},
      storage: { mysql: { pvName: "a" }, objectStore: { gcpDisk: "d" } },
    },
    {
      name: "PV flags name each volume",
      app: app(),
      flags: { mysqlPv: "kfp-mysql", minioPv: "kfp-minio" },
      storage: { mysql: { pvName: "kfp-mysql" }, objectStore: { pvName: "kfp-minio" } },
    },
    {
      name: "a flag for one volume leaves the other as the app has it",
      app: app({ mysql: { pvName: "old" }, objectStore: { pvName: "kept" } }),
      flags: { mysqlPv: "new" },
      storage: { mysql: { pvName: "new" }, objectStore: { pvName: "kept" } },
    },
    {
      name: "a disk flag and a PV flag for one volume are both kept (the disk wins later, and the plan says so)",
      app: app(),
      flags: { mysqlPv: "kfp-mysql", mysqlPd: "kf-storage-metadata-store" },
      storage: { mysql: { pvName: "kfp-mysql", gcpDisk: "kf-storage-metadata-store" }, objectStore: {} },
    },
    {
      name: "a flag replaces what the app had for that volume",
      app: app({ mysql: { storageClass: "slow" }, objectStore: {} }),
      flags: { mysqlPd: "disk" },
      storage: { mysql: { gcpDisk: "disk" }, objectStore: {} },
    },
    {
      name: "--storage-class names both volumes",
      app: app({ mysql: { pvName: "a" }, objectStore: { pvName: "b" } }),
      flags: { storageClass: "standard" },
      storage: { mysql: { storageClass: "standard" }, objectStore: { storageClass: "standard" } },
    },
  ];
  it.each(cases)("$name", ({ app, flags, storage }) => {
    const before = structuredClone(app);
    expect(applyStorageFlags(app, flags)).toEqual({ ...app, storage });
    expect(app).toEqual(before);
  });

  const conflicts = [
    {
      name: "a StorageClass with a PV",
      flags: { storageClass: "standard", mysqlPv: "kfp-mysql" },
      message:
        "--storage-class standard conflicts with --mysql-pv kfp-mysql: a volume is either bound to a named PV or disk, or provisioned by a StorageClass",
    },
    {
      name: "a StorageClass with several PVs and disks",
      flags: { storageClass: "standard", minioPv: "kfp-minio", mysqlPd: "d1", minioPd: "d2" },
      message:
        "--storage-class standard conflicts with --minio-pv kfp-minio, --mysql-pd d1, --minio-pd d2: a volume is either bound to a named PV or disk, or provisioned by a StorageClass",
    },
  ];
  it.each(conflicts)("refuses $name (exit 2)", ({ flags, message }) => {
    expect(() => applyStorageFlags(app(), flags)).toThrow(UsageError);
    expect(() => applyStorageFlags(app(), flags)).toThrow(
      expect.objectContaining({ code: "STORAGE_FLAGS_CONFLICT", exitCode: 2, message }),
    );
  });
});
