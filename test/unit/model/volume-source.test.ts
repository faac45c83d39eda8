import { describe, expect, it } from "vitest";
import { describeVolumeSource, sameVolumeSource, volumeSource } from "../../../src/model/volume-source.js";

describe("volumeSource", () => {
  const cases = [
    { name: "hostPath", spec: { hostPath: { path: "/d", type: "Directory" } }, text: "hostPath /d" },
    {
      name: "GCE PD",
      spec: { gcePersistentDisk: { pdName: "disk", fsType: "ext4" } },
      text: "gcePersistentDisk disk",
    },
    {
      name: "CSI",
      spec: { csi: { driver: "pd.csi.storage.gke.io", volumeHandle: "projects/p/zones/z/disks/d" } },
      text: "csi pd.csi.storage.gke.io projects/p/zones/z/disks/d",
    },
    { name: "NFS", spec: { nfs: { server: "10.0.0.2", path: "/exports" } }, text: "nfs 10.0.0.2:/exports" },
    { name: "nothing", spec: { capacity: { storage: "1Gi" } }, text: "no volume source" },
  ];
  it.each(cases)("$name", ({ spec, text }) => {
    expect(describeVolumeSource(volumeSource({ capacity: { storage: "20Gi" }, ...spec }))).toBe(text);
  });

  it("two specs over the same storage are the same source, whatever else differs", () => {
    expect(
      sameVolumeSource(
        volumeSource({ hostPath: { path: "/d" }, capacity: { storage: "1Gi" } }),
        volumeSource({
          hostPath: { path: "/d", type: "Directory" },
          persistentVolumeReclaimPolicy: "Delete",
        }),
      ),
    ).toBe(true);
    expect(
      sameVolumeSource(
        volumeSource({ hostPath: { path: "/d" } }),
        volumeSource({ hostPath: { path: "/e" } }),
      ),
    ).toBe(false);
  });
});
