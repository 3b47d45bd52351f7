/**
 * Issue 10, items 1–6 and 15 for DWS, DwsSnapshotCopy and EVS: adopt only what is provably ours,
 * in a world that is not empty (foreign same-name snapshots, several resources on one disk, a
 * provider killed mid-create, deletes accepted but not carried out). Each case drives the provider
 * as the engine does: check (with the old inputs), diff, create, delete. Item 7 (a skewed client
 * clock) is in ownership-clock.test.ts: it needs an emulator of its own.
 */
import { spawn } from "node:child_process";
import path from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { dwsError, evsError } from "../../emulator/errors";
import { createClient, resolveSettings } from "../../provider/client";
import type { DynamicMethods } from "../../provider/resources/framework";
import { dwsApi } from "../../provider/services/dws";
import { evsApi } from "../../provider/services/evs";
import { DEFAULT_IDS, dws, dwsCopy, evs, REGIONS, useEmulator } from "./helpers";

const env = useEmulator();
const outside = () =>
  createClient(resolveSettings({ config: { get: (k: string) => env.config[k] }, env: {} }));
const region = REGIONS.primary.name;
const volumeId = DEFAULT_IDS.evsVolumeAvailableId;
const clusterId = DEFAULT_IDS.dwsClusterId;

/** The owner the public class registers for a resource (project/stack/type::name). */
const owner = (kind: string, name: string) => `proj/dev/huaweicloud:${kind}::${name}`;

/** check as the engine calls it, failing the test on check failures. */
async function check(p: DynamicMethods, olds: Record<string, unknown>, news: Record<string, unknown>) {
  const r = await p.check(olds, news);
  if (r.failures.length) throw new Error(`check failed: ${JSON.stringify(r.failures)}`);
  return r.inputs;
}

const evsSnapshots = () => env.emu.world().evs.snapshots;
const manualDws = () => env.emu.world().dws.snapshots.filter((s) => s.type === "MANUAL");

/** The next `times` calls of a model method fail with `error` before doing anything (a 5xx: outcome unknown). */
function failNext<T extends object, K extends keyof T>(
  model: T,
  method: K,
  times: number,
  error: () => Error,
) {
  const real = (model[method] as (...a: unknown[]) => unknown).bind(model);
  let left = times;
  (model as Record<K, unknown>)[method] = (...args: unknown[]) => {
    if (left-- > 0) throw error();
    return real(...args);
  };
  return () => {
    (model as Record<K, unknown>)[method] = real as T[K];
  };
}

/**
 * Starts a create in a child process running the built package and kills it with SIGKILL once the
 * POST was carried out (`made` lists one object), at most 20 s.
 */
async function killedMidCreate(kind: string, inputs: Record<string, unknown>, made: () => unknown[]) {
  const child = spawn(
    process.execPath,
    [
      "-e",
      `const impl = require(${JSON.stringify(path.resolve("dist/provider/resources/impl.js"))});
       const config = ${JSON.stringify(env.config)};
       impl.configure({ config: { get: (k) => config[k] } });
       impl.provider(${JSON.stringify(kind)}).create(${JSON.stringify(inputs)});`,
    ],
    { stdio: "ignore" },
  );
  try {
    for (let i = 0; i < 200 && made().length === 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(made()).toHaveLength(1);
  } finally {
    child.kill("SIGKILL");
  }
  await new Promise((r) => child.once("exit", r));
}

/** A DWS create refused because `holder` (not ours) has the name: nothing in state, the holder alone. */
async function expectNameTaken(p: DynamicMethods, inputs: Record<string, unknown>, holder: string) {
  const err = (await p.create(inputs).catch((e) => e)) as Error & { id?: string };
  expect(err.id).toBeUndefined();
  expect(err.message).toContain(`already exists (${holder})`);
  expect(manualDws().map((s) => s.id)).toEqual([holder]);
}

const restore: (() => void)[] = [];
beforeEach(() => {
  while (restore.length) restore.pop()!();
  env.emu.backend.reset();
  env.emu.setFaults({ dropResponseAfterCommitRate: 0, fail: { evsSnapshot: 0, dwsSnapshot: 0 } });
  env.emu.setTimings({ evsSnapshotCreate: 500, dwsSnapshotCreate: 600, dwsSnapshotCopy: 500 });
  env.emu.resetCounts();
});

describe("1. an ambiguous DWS create never adopts a same-name snapshot that existed before", () => {
  it("DwsSnapshot: a DBA's manual snapshot holds the name; one 5xx on the create adopts nothing", async () => {
    const dba = await dwsApi(outside(), region).createSnapshot({
      name: "nightly-dba",
      cluster_id: clusterId,
    });
    restore.push(failNext(env.emu.backend.dws, "createSnapshot", 1, () => dwsError(500, "DWS.9999", "boom")));
    const inputs = await check(
      dws(),
      {},
      { clusterId, name: "nightly-dba", owner: owner("DwsSnapshot", "n") },
    );
    await expectNameTaken(dws(), inputs, dba); // nothing of the DBA's goes into state
    expect(manualDws()[0]!.status).not.toBe("DELETING");
  });

  it("DwsSnapshotCopy: a same-name snapshot of another cluster is never adopted", async () => {
    const other = await dwsApi(outside(), region).createSnapshot({
      name: "keep-copy",
      cluster_id: DEFAULT_IDS.dwsClusterId2,
    });
    restore.push(failNext(env.emu.backend.dws, "copySnapshot", 1, () => dwsError(500, "DWS.9999", "boom")));
    const inputs = await check(
      dwsCopy(),
      {},
      { sourceSnapshotId: DEFAULT_IDS.dwsAutomatedSnapshotIds[0], name: "keep-copy" },
    );
    await expectNameTaken(dwsCopy(), inputs, other);
  });

  it("an ambiguous create whose name was free is adopted in its own cluster, exactly once", async () => {
    env.emu.setFaults({ dropResponseAfterCommitRate: 1 });
    const inputs = await check(dws(), {}, { clusterId, name: "free-name" });
    const { id } = await dws().create(inputs);
    env.emu.setFaults({ dropResponseAfterCommitRate: 0 });
    expect(manualDws().map((s) => s.id)).toEqual([id]);
  });
});

describe("2. existingId must match every identifying input", () => {
  it("DwsSnapshot: a snapshot named otherwise is refused before anything changes", async () => {
    const legacy = await dwsApi(outside(), region).createSnapshot({
      name: "legacy-dws",
      cluster_id: clusterId,
    });
    const inputs = await check(dws(), {}, { clusterId, name: "nightly", existingId: legacy });
    const err = (await dws()
      .create(inputs)
      .catch((e) => e)) as Error & { id?: string };
    expect(err.id).toBeUndefined();
    expect(err.message).toContain(`cannot adopt snapshot ${legacy}: its name is "legacy-dws"`);
  });

  it("DwsSnapshotCopy: a snapshot of another cluster is refused", async () => {
    const other = await dwsApi(outside(), region).createSnapshot({
      name: "copy-elsewhere",
      cluster_id: DEFAULT_IDS.dwsClusterId2,
    });
    const inputs = await check(
      dwsCopy(),
      {},
      { sourceSnapshotId: DEFAULT_IDS.dwsAutomatedSnapshotIds[0], name: "copy-elsewhere", existingId: other },
    );
    await expect(dwsCopy().create(inputs)).rejects.toThrow(/it belongs to cluster/);
  });

  it("EvsSnapshot: a snapshot named otherwise is refused, never renamed", async () => {
    const made = await evsApi(outside(), region).createSnapshot({ volume_id: volumeId, name: "legacy-evs" });
    const inputs = await check(evs(), {}, { volumeId, name: "nightly", existingId: made.id });
    await expect(evs().create(inputs)).rejects.toThrow(/its name is "legacy-evs", not "nightly"/);
    expect(evsSnapshots().map((s) => s.name)).toEqual(["legacy-evs"]);
  });

  it("a non-existent existingId says so by name", async () => {
    const missing = "00000000-0000-4000-8000-000000000001";
    for (const [p, inputs] of [
      [evs(), { volumeId, name: "ghost", existingId: missing }],
      [dws(), { clusterId, name: "ghost-dws", existingId: missing }],
    ] as const) {
      const err = (await p.create(await check(p, {}, inputs)).catch((e) => e)) as Error;
      expect(err.message).toContain(`existingId ${missing}: there is no such snapshot`);
    }
  });
});

describe("3. a replace never re-adopts the id it replaces", () => {
  it("EvsSnapshot: a `force` change with existingId still in the program makes a new snapshot", async () => {
    const made = await evsApi(outside(), region).createSnapshot({ volume_id: volumeId, name: "adopted" });
    const first = await check(evs(), {}, { volumeId, name: "adopted", existingId: made.id });
    const a = await evs().create(first);
    expect(a.id).toBe(made.id);
    const news = await check(evs(), first, { volumeId, name: "adopted", existingId: made.id, force: true });
    expect((await evs().diff(a.id, a.outs, news)).replaces).toEqual(["force"]);
    const b = await evs().create(news); // create before delete, as the engine replaces
    await evs().delete(a.id, a.outs);
    expect(b.id).not.toBe(made.id);
    expect(evsSnapshots().map((s) => s.id)).toEqual([b.id]);
  });

  it("DwsSnapshot: a `description` change with existingId still in the program makes a new snapshot", async () => {
    const made = await dwsApi(outside(), region).createSnapshot({
      name: "adopted-dws",
      cluster_id: clusterId,
    });
    const first = await check(dws(), {}, { clusterId, name: "adopted-dws", existingId: made });
    const a = await dws().create(first);
    const news = await check(dws(), first, { ...first, description: "changed" });
    const d = await dws().diff(a.id, a.outs, news);
    expect(d).toMatchObject({ replaces: ["description"], deleteBeforeReplace: true });
    await dws().delete(a.id, a.outs); // delete before replace: the name is unique
    const b = await dws().create(news);
    expect(b.id).not.toBe(made);
    expect(b.outs.description).toBe("changed");
    expect(manualDws().map((s) => s.id)).toEqual([b.id]);
  });
});

describe("4. an EVS replace whose create is refused ambiguously never adopts the old snapshot", () => {
  it("the replacement is a new snapshot; the old one is deleted by the engine as planned", async () => {
    const o = owner("EvsSnapshot", "disk");
    const first = await check(evs(), {}, { volumeId, name: "same-name", owner: o });
    const a = await evs().create(first);
    const news = await check(evs(), first, { volumeId, name: "same-name", owner: o, force: true });
    restore.push(failNext(env.emu.backend.evs, "createSnapshot", 1, () => evsError(500, "EVS.5500", "boom")));
    const b = await evs().create(news);
    expect(b.id).not.toBe(a.id);
    await evs().delete(a.id, a.outs);
    expect(evsSnapshots().map((s) => s.id)).toEqual([b.id]);
  });
});

describe("5. a provider killed during the EVS create wait: the next up takes its snapshot back", () => {
  it("SIGKILL after the POST, then create again with the same inputs: one snapshot, in state", async () => {
    env.emu.setTimings({ evsSnapshotCreate: 60_000 });
    const inputs = await check(
      evs(),
      {},
      { volumeId, name: "killed", owner: owner("EvsSnapshot", "killed") },
    );
    await killedMidCreate("EvsSnapshot", inputs, evsSnapshots);
    const left = evsSnapshots()[0]!;
    expect(left.status).toBe("creating");
    env.emu.backend.evs.snapshots.get(left.id)!.completesAt = Date.now() + 300;
    // The next `up`: no state for it, so check sees no old inputs, and create runs again.
    const again = await check(evs(), {}, { volumeId, name: "killed", owner: owner("EvsSnapshot", "killed") });
    const { id, outs } = await evs().create(again);
    expect(id).toBe(left.id);
    expect(outs.status).toBe("available");
    expect(env.emu.counts()["evs.CreateSnapshot"]).toBe(1);
    expect(evsSnapshots()).toHaveLength(1);
  }, 60_000);
});

describe("5b. a provider killed during a DWS create wait: the next up takes its snapshot back", () => {
  it.each([
    ["DwsSnapshot", dws, { clusterId, name: "killed-dws", description: "nightly" }, "dws.CreateSnapshot"],
    [
      "DwsSnapshotCopy",
      dwsCopy,
      { sourceSnapshotId: DEFAULT_IDS.dwsAutomatedSnapshotIds[0], name: "killed-copy", description: "copy" },
      "dws.CopySnapshot",
    ],
  ] as const)(
    "%s: SIGKILL after the POST, then create again: one snapshot, adopted by its mark",
    async (kind, p, args, op) => {
      env.emu.setTimings({ dwsSnapshotCreate: 60_000, dwsSnapshotCopy: 60_000 });
      const news = { ...args, owner: owner(kind, "killed") };
      await killedMidCreate(kind, await check(p(), {}, news), manualDws);
      const left = manualDws()[0]!;
      expect(left.description).toMatch(new RegExp(`^${args.description} \\[pulumi:[0-9a-f]{32}\\]$`));
      env.emu.backend.dws.snapshots.get(left.id)!.completesAt = Date.now() + 300;
      // The next `up`: no state for it, so check sees no old inputs, and create runs again.
      const { id, outs } = await p().create(await check(p(), {}, news));
      expect(id).toBe(left.id);
      expect(outs.status).toBe("AVAILABLE");
      expect(outs.description).toBe(args.description); // the mark is never shown
      expect(env.emu.counts()[op]).toBe(1);
      expect(manualDws()).toHaveLength(1);
      // Another resource of the same name (another owner) does not match the mark: refused, untouched.
      const other = await check(p(), {}, { ...args, owner: owner(kind, "other") });
      await expectNameTaken(p(), other, left.id);
    },
    60_000,
  );

  it("a same-name snapshot without our mark (its description copied, the mark left out) is still refused", async () => {
    const foreign = await dwsApi(outside(), region).createSnapshot({
      name: "marked-not",
      cluster_id: clusterId,
      description: "nightly",
    });
    const inputs = await check(
      dws(),
      {},
      { clusterId, name: "marked-not", description: "nightly", owner: owner("DwsSnapshot", "m") },
    );
    await expectNameTaken(dws(), inputs, foreign);
    expect(env.emu.counts()["dws.CreateSnapshot"]).toBe(1); // the foreign one only
  });
});

describe("6. several EvsSnapshot resources with one name on one disk", () => {
  it("under ambiguous creates each adopts its own: 4 resources, 4 snapshots, 0 orphans", async () => {
    // A foreign snapshot of the same name is there too, and must stay untouched.
    const foreign = await evsApi(outside(), region).createSnapshot({ volume_id: volumeId, name: "hourly" });
    env.emu.setFaults({ dropResponseAfterCommitRate: 1 });
    const made = await Promise.all(
      [1, 2, 3, 4].map(async (n) =>
        evs().create(
          await check(evs(), {}, { volumeId, name: "hourly", owner: owner("EvsSnapshot", `h${n}`) }),
        ),
      ),
    );
    env.emu.setFaults({ dropResponseAfterCommitRate: 0 });
    const ids = made.map((m) => m.id);
    expect(new Set(ids).size).toBe(4);
    expect(ids).not.toContain(foreign.id);
    expect(
      evsSnapshots()
        .map((s) => s.id)
        .sort(),
    ).toEqual([...ids, foreign.id].sort());
    await Promise.all(made.map((m) => evs().delete(m.id, m.outs)));
    expect(evsSnapshots().map((s) => s.id)).toEqual([foreign.id]);
  });
});

describe("15. a delete accepted but not carried out is sent again", () => {
  const lose = (model: { deleteSnapshot(p: string, id: string): void }, times: number) => {
    const real = model.deleteSnapshot.bind(model);
    let left = times;
    model.deleteSnapshot = (p, id) => {
      if (left-- > 0) return; // accepted (202), never carried out
      real(p, id);
    };
    restore.push(() => {
      model.deleteSnapshot = real;
    });
  };

  it.each([
    ["EvsSnapshot", evs, { volumeId, name: "lost-delete" }, "evs.DeleteSnapshot"],
    ["DwsSnapshot", dws, { clusterId, name: "lost-delete" }, "dws.DeleteSnapshot"],
  ] as const)("%s: the DELETE is repeated and the snapshot goes", async (kind, p, news, op) => {
    const { id, outs } = await p().create(await check(p(), {}, { ...news, timeouts: { delete: "20s" } }));
    lose(kind === "EvsSnapshot" ? env.emu.backend.evs : env.emu.backend.dws, 1);
    await p().delete(id, outs);
    expect(env.emu.counts()[op]).toBe(2);
    expect((await p().read(id, outs)).id).toBe("");
  });

  it("a delete that never takes effect is sent a bounded number of times, and the hint names the delete timeout", async () => {
    const { id, outs } = await evs().create(
      await check(evs(), {}, { volumeId, name: "never-deleted", timeouts: { delete: "3s" } }),
    );
    lose(env.emu.backend.evs, 1_000);
    const err = (await evs()
      .delete(id, outs)
      .catch((e) => e)) as Error;
    expect(err.message).toMatch(/still status available after/);
    expect(err.message).toContain('timeouts: { delete: "2h" }');
    expect(env.emu.counts()["evs.DeleteSnapshot"]).toBeLessThanOrEqual(4);
    expect(env.emu.counts()["evs.DeleteSnapshot"]).toBeGreaterThan(1);
  }, 20_000);
});
