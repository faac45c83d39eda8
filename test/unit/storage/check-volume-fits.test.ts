import { describe, expect, it } from "vitest";
import type { VolumeState } from "../../../src/model/cluster-snapshot.js";
import { checkVolumeFits } from "../../../src/storage/check-volume-fits.js";

const GI = 2 ** 30;

function volume(overrides: Partial<VolumeState> = {}): VolumeState {
  return {
    name: "kfp-mysql",
    uid: "uid-1",
    phase: "Available",
    claimRef: null,
    capacityBytes: 20 * GI,
    accessModes: ["ReadWriteOnce"],
    reclaimPolicy: "Retain",
    storageClassName: null,
    source: { type: "hostPath", path: "/data/mysql" },
    ownerReferences: [],
    dataWrittenBy: null,
    ...overrides,
  };
}

const claim = {
  namespace: "kubeflow",
  name: "mysql-pv-claim",
  requestBytes: 20 * GI,
  accessModes: ["ReadWriteOnce"],
};

describe("checkVolumeFits", () => {
  const cases: { name: string; volume: VolumeState; problems: string[] }[] = [
    { name: "an Available PV of the right size fits", volume: volume(), problems: [] },
    { name: "a bigger PV fits", volume: volume({ capacityBytes: 200 * GI }), problems: [] },
    {
      name: "a PV already bound to this very claim fits",
      volume: volume({
        phase: "Bound",
        claimRef: { namespace: "kubeflow", name: "mysql-pv-claim", uid: "c1" },
      }),
      problems: [],
    },
    {
      name: "a Released PV with a stale claimRef to another claim fits (the claimRef is cleared first)",
      volume: volume({ phase: "Released", claimRef: { namespace: "old", name: "other", uid: "c0" } }),
      problems: [],
    },
    {
      name: "a PV bound to another claim does not",
      volume: volume({ phase: "Bound", claimRef: { namespace: "team-a", name: "db", uid: "c2" } }),
      problems: ['PV "kfp-mysql" is bound to another claim (team-a/db)'],
    },
    {
      name: "a PV bound to a same-named claim in another namespace does not",
      volume: volume({ phase: "Bound", claimRef: { namespace: "other", name: "mysql-pv-claim", uid: "c3" } }),
      problems: ['PV "kfp-mysql" is bound to another claim (other/mysql-pv-claim)'],
    },
    {
      name: "a smaller PV does not",
      volume: volume({ capacityBytes: 10 * GI }),
      problems: ['PV "kfp-mysql" is too small: 10Gi < 20Gi requested by mysql-pv-claim'],
    },
    {
      name: "a PV without the access mode does not",
      volume: volume({ accessModes: ["ReadOnlyMany"] }),
      problems: ['PV "kfp-mysql" does not offer access mode ReadWriteOnce (it has ReadOnlyMany)'],
    },
    {
      name: "a PV with no access modes says none",
      volume: volume({ accessModes: [] }),
      problems: ['PV "kfp-mysql" does not offer access mode ReadWriteOnce (it has none)'],
    },
    {
      name: "a Failed PV does not",
      volume: volume({ phase: "Failed" }),
      problems: ['PV "kfp-mysql" is in phase Failed'],
    },
    {
      name: "every problem is reported at once",
      volume: volume({
        phase: "Bound",
        claimRef: { namespace: "x", name: "y", uid: null },
        capacityBytes: 1 * GI,
        accessModes: ["ReadWriteMany"],
      }),
      problems: [
        'PV "kfp-mysql" is bound to another claim (x/y)',
        'PV "kfp-mysql" is too small: 1Gi < 20Gi requested by mysql-pv-claim',
        'PV "kfp-mysql" does not offer access mode ReadWriteOnce (it has ReadWriteMany)',
      ],
    },
  ];
  it.each(cases)("$name", ({ volume, problems }) => {
    expect(checkVolumeFits(volume, claim)).toEqual(problems);
  });
});
