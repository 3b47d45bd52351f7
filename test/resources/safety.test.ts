/**
 * Nothing lost, nothing duplicated: terminal failures, timeouts that keep the id, resumed waits,
 * ambiguous creates, and refreshes after deletions outside Pulumi — for every resource.
 */
import { beforeEach, describe, expect, it, vi } from "vitest";
import { createClient, resolveSettings } from "../../provider/client";
import type { DynamicMethods } from "../../provider/resources/framework";
import { cbrApi } from "../../provider/services/cbr";
import { dwsApi } from "../../provider/services/dws";
import { evsApi } from "../../provider/services/evs";
import { backupsIn } from "./cbr-helpers";
import { cbr, checked, createError, DEFAULT_IDS, dws, dwsCopy, evs, REGIONS, useEmulator } from "./helpers";

const env = useEmulator();

interface Case {
  kind: string;
  p: () => DynamicMethods;
  inputs: (name: string) => Record<string, unknown>;
  createOp: string;
  /** How many create requests one resource sends (a CBR replication: one per source backup). */
  creates?: () => number;
  timing: "evsSnapshotCreate" | "dwsSnapshotCreate" | "dwsSnapshotCopy" | "cbrReplication";
  fail: "evsSnapshot" | "dwsSnapshot" | "cbrReplication";
  failedStatus: string;
  /** How many things of this kind the cloud holds that this test could have made. */
  made: () => number;
  /** Deletes it behind Pulumi's back. */
  deleteOutside: (id: string, outs: Record<string, unknown>) => Promise<void>;
}

const outsideClient = () =>
  createClient(resolveSettings({ config: { get: (k: string) => env.config[k] }, env: {} }));

const cases: Case[] = [
  {
    kind: "EvsSnapshot",
    p: evs,
    inputs: (name) => ({ volumeId: DEFAULT_IDS.evsVolumeAvailableId, name }),
    createOp: "evs.CreateSnapshot",
    timing: "evsSnapshotCreate",
    fail: "evsSnapshot",
    failedStatus: "error",
    made: () => env.emu.world().evs.snapshots.length,
    deleteOutside: (id) => evsApi(outsideClient(), REGIONS.primary.name).deleteSnapshot(id),
  },
  {
    kind: "DwsSnapshot",
    p: dws,
    inputs: (name) => ({ clusterId: DEFAULT_IDS.dwsClusterId, name }),
    createOp: "dws.CreateSnapshot",
    timing: "dwsSnapshotCreate",
    fail: "dwsSnapshot",
    failedStatus: "UNAVAILABLE",
    made: () => env.emu.world().dws.snapshots.filter((s: { type: string }) => s.type === "MANUAL").length,
    deleteOutside: (id) => dwsApi(outsideClient(), REGIONS.primary.name).deleteSnapshot(id),
  },
  {
    kind: "DwsSnapshotCopy",
    p: dwsCopy,
    inputs: (name) => ({ sourceSnapshotId: DEFAULT_IDS.dwsAutomatedSnapshotIds[1], name }),
    createOp: "dws.CopySnapshot",
    timing: "dwsSnapshotCopy",
    fail: "dwsSnapshot",
    failedStatus: "UNAVAILABLE",
    made: () => env.emu.world().dws.snapshots.filter((s: { type: string }) => s.type === "MANUAL").length,
    deleteOutside: (id) => dwsApi(outsideClient(), REGIONS.primary.name).deleteSnapshot(id),
  },
  {
    kind: "CbrReplication",
    p: cbr,
    inputs: () => ({
      sourceVaultId: DEFAULT_IDS.cbrSourceVaultId,
      destinationVaultId: DEFAULT_IDS.cbrDestinationVaultId,
      destinationRegion: REGIONS.secondary.name,
    }),
    createOp: "cbr.CopyBackup",
    creates: () =>
      env.emu
        .world()
        .cbr.backups.filter(
          (b: { vault_id: string; image_type: string }) =>
            b.vault_id === DEFAULT_IDS.cbrSourceVaultId && b.image_type === "backup",
        ).length,
    timing: "cbrReplication",
    fail: "cbrReplication",
    failedStatus: "fail",
    made: () =>
      env.emu.world().cbr.backups.filter((b: { image_type: string }) => b.image_type === "replication")
        .length,
    deleteOutside: async () => {
      const api = cbrApi(outsideClient(), REGIONS.secondary.name);
      const replicas = backupsIn(env, DEFAULT_IDS.cbrDestinationVaultId).map((b) => b.id);
      for (const r of replicas) await api.deleteBackup(r);
      // The cloud deletes asynchronously: wait (bounded) until no replica is listed any more.
      await vi.waitFor(
        () => {
          const left = backupsIn(env, DEFAULT_IDS.cbrDestinationVaultId).filter(
            (b) => replicas.includes(b.id) && b.status !== "hidden",
          );
          expect(left).toEqual([]);
        },
        { timeout: 5_000, interval: 25 },
      );
    },
  },
];

beforeEach(() => {
  env.emu.backend.reset();
  env.emu.setFaults({
    fail: { evsSnapshot: 0, dwsSnapshot: 0, cbrReplication: 0 },
    dropResponseAfterCommitRate: 0,
  });
  env.emu.setTimings({
    evsSnapshotCreate: 500,
    dwsSnapshotCreate: 600,
    dwsSnapshotCopy: 500,
    cbrReplication: 700,
  });
  env.emu.resetCounts();
});

describe.each(cases)("$kind", (c) => {
  it("a terminal failure is a clear error that keeps the id in state; the next up replaces it", async () => {
    env.emu.setFaults({ fail: { [c.fail]: 1 } });
    const inputs = await checked(c.p(), c.inputs("failing-one"));
    const err = await createError(c.p(), inputs);
    expect(err.id).toBeTruthy();
    expect(err.properties?.status).toBe(c.failedStatus);
    expect(err.message).toContain(c.failedStatus);
    expect(err.message).toMatch(/kept in state/);
    const d = await c.p().diff(err.id!, err.properties!, inputs);
    expect(d.replaces.length).toBeGreaterThan(0);
    // Destroying the failed one works and leaves nothing.
    await c.p().delete(err.id!, err.properties!);
    expect(c.made()).toBe(0);
  });

  it("a timeout keeps the id; the next up resumes the wait without a second create", async () => {
    env.emu.setTimings({ [c.timing]: 2500 });
    const inputs = await checked(c.p(), { ...c.inputs("slow-one"), timeouts: { create: "500ms" } });
    const err = await createError(c.p(), inputs);
    expect(err.id).toBeTruthy();
    expect(err.message).toMatch(/still \S+/);
    expect(err.message).toMatch(/resumes waiting/);
    // The engine diffs against the partial state: an unfinished wait is a change, not a replacement.
    const resumed = { ...inputs, timeouts: { create: "1m", update: "1m" } };
    expect(await c.p().diff(err.id!, err.properties!, resumed)).toMatchObject({
      changes: true,
      replaces: [],
    });
    const { outs } = await c.p().update(err.id!, err.properties!, resumed);
    expect(["AVAILABLE", "available", "success"]).toContain(outs.status);
    expect(env.emu.counts()[c.createOp]).toBe(c.creates?.() ?? 1);
    expect(c.made()).toBeGreaterThan(0);
    await c.p().delete(err.id!, outs);
    expect(c.made()).toBe(0);
  });

  it("an ambiguous create (committed, answer dropped) is adopted, never duplicated", async () => {
    env.emu.setFaults({ dropResponseAfterCommitRate: 1 });
    const inputs = await checked(c.p(), c.inputs("ambiguous-one"));
    const { id, outs } = await c.p().create(inputs);
    env.emu.setFaults({ dropResponseAfterCommitRate: 0 });
    expect(["AVAILABLE", "available", "success"]).toContain(outs.status);
    expect(env.emu.counts()[c.createOp]).toBe(c.creates?.() ?? 1);
    const before = c.made();
    await c.p().delete(id, outs);
    expect(before - c.made()).toBe(before); // everything it made is gone: there was exactly one
  });

  it("a refresh after a deletion outside Pulumi drops it from state", async () => {
    const inputs = await checked(c.p(), c.inputs("deleted-outside"));
    const { id, outs } = await c.p().create(inputs);
    await c
      .p()
      .read(id, outs)
      .then((r) => expect(r.id).toBe(id));
    await c.deleteOutside(id, outs);
    // The cloud deletes asynchronously: while deleting, a refresh shows that status; then it is gone.
    let refreshed = await c.p().read(id, outs);
    for (let i = 0; i < 20 && refreshed.id !== ""; i++) {
      expect(String(refreshed.props.status).toLowerCase()).toMatch(/deleting|available|success/);
      await new Promise((r) => setTimeout(r, 100));
      refreshed = await c.p().read(id, outs);
    }
    expect(refreshed.id).toBe("");
    await c.p().delete(id, outs); // destroy after that still succeeds
  });

  it("preview with unknown inputs passes check", async () => {
    const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
    const news = Object.fromEntries(Object.keys(c.inputs("x")).map((k) => [k, UNKNOWN]));
    const r = await c.p().check({}, news);
    expect(r.failures).toEqual([]);
  });
});
