/**
 * The matrix's audit must catch what it claims to: a negative control with a real emulator and
 * the provider. A snapshot missing from state is an orphan; two for one name are a duplicate; a
 * CBR replication kept in state accounts for its replicas.
 */
import { describe, expect, it } from "vitest";
import { DEFAULT_IDS, emulatorStackConfig, REGIONS, startEmulator } from "../../emulator";
import { configure, provider } from "../../provider/resources/impl";
import { audit, cloudObjects, MATRIX_TIMINGS, type Planned, type StateEntry } from "./driver";

describe("the world-versus-state audit", () => {
  it("counts orphans and duplicates, and accounts for what state holds", async () => {
    const emu = await startEmulator({ port: 0, seed: 3, timings: MATRIX_TIMINGS });
    try {
      configure({
        config: {
          get: (k) => emulatorStackConfig(emu.url)[k],
        },
      });
      const evs = provider("EvsSnapshot");
      const cbr = provider("CbrReplication");
      const inputs = { volumeId: DEFAULT_IDS.evsVolumeAvailableId, name: "audit-twin" };
      const planned: Planned = { kind: "EvsSnapshot", key: "audit-twin", inputs };
      const a = await evs.create(inputs);
      const b = await evs.create(inputs); // the same name twice: a duplicate
      const cbrInputs = {
        sourceVaultId: DEFAULT_IDS.cbrSourceVaultId,
        destinationVaultId: DEFAULT_IDS.cbrDestinationVaultId,
        destinationRegion: REGIONS.secondary.name,
      };
      const c = await cbr.create(cbrInputs);
      const cbrEntry: StateEntry = {
        planned: { kind: "CbrReplication", key: DEFAULT_IDS.cbrSourceVaultId, inputs: cbrInputs },
        id: c.id,
        props: c.outs,
        partial: false,
      };
      const world = emu.world();
      expect(cloudObjects(world).map((o) => o.kind)).toEqual(["evs", "evs", "cbr", "cbr"]);

      const both = audit(world, [
        { planned, id: a.id, props: a.outs, partial: false },
        { planned, id: b.id, props: b.outs, partial: false },
        cbrEntry,
      ]);
      expect(both).toMatchObject({ objects: 4, orphans: 0, duplicates: 1 });

      const forgotten = audit(world, [{ planned, id: a.id, props: a.outs, partial: false }]);
      expect(forgotten).toMatchObject({ orphans: 3, duplicates: 1 });
      expect(forgotten.details.join("\n")).toContain(b.id);

      // Two resources of one name, each with its own snapshot, are not a duplicate; two resources
      // sharing one id are; a state entry whose snapshot is gone is lost.
      const twin: Planned = { ...planned, key: "audit-twin#2" };
      expect(
        audit(world, [
          { planned, id: a.id, props: a.outs, partial: false },
          { planned: twin, id: b.id, props: b.outs, partial: false },
          cbrEntry,
        ]),
      ).toMatchObject({ orphans: 0, duplicates: 0, lost: 0 });
      const shared = audit(world, [
        { planned, id: a.id, props: a.outs, partial: false },
        { planned: twin, id: a.id, props: a.outs, partial: false },
        {
          planned: { ...planned, key: "gone" },
          id: "00000000-0000-4000-8000-00000000dead",
          props: {},
          partial: false,
        },
        cbrEntry,
      ]);
      expect(shared).toMatchObject({ orphans: 1, duplicates: 1, lost: 1 });
      // An object that is not ours is no orphan, and adopting it is counted.
      const notOurs = [{ kind: "evs" as const, id: b.id, fingerprint: "" }];
      expect(
        audit(world, [{ planned, id: a.id, props: a.outs, partial: false }, cbrEntry], notOurs),
      ).toMatchObject({
        orphans: 0,
        foreignAdopted: 0,
      });
      expect(
        audit(world, [{ planned, id: b.id, props: b.outs, partial: false }, cbrEntry], notOurs),
      ).toMatchObject({
        foreignAdopted: 1,
      });

      await evs.delete(a.id, a.outs);
      await evs.delete(b.id, b.outs);
      await cbr.delete(c.id, c.outs);
      expect(cloudObjects(emu.world())).toEqual([]);
    } finally {
      await emu.close();
    }
  });
});
