/**
 * A BackupPlan over simulated days (its clock input), engine-level against the emulator: the example
 * program's lookups and children, through the real provider host. Each day is previewed and then
 * applied; the preview must show exactly what the up then does.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_IDS, REGIONS } from "../../emulator/defaults";
import type { RunningEmulator } from "../../emulator/index";
import { createClient, resolveSettings } from "../../provider/client";
import { periodStamp } from "../../provider/plan/period";
import { evsApi } from "../../provider/services/evs";
import { type ProviderHost, type ResourceState, startHost } from "../../scripts/engine";
import { stackConfig, startTestEmulator } from "../engine/example";
import { EXAMPLE_PROJECT, envWithoutHuaweiSettings, REPO_ROOT } from "../engine/helpers";
import { type DayResult, planConfig, upDay } from "./engine";

const DAY = 86_400_000;
const VOLUME = DEFAULT_IDS.evsVolumeAvailableId;
const CLUSTER = DEFAULT_IDS.dwsClusterId;
/** Day 1 of the simulation: today at 03:00 UTC (the emulator's automated snapshots are recent). */
const DAY1 = Math.floor(Date.now() / DAY) * DAY + 3 * 3_600_000;
const dayAt = (n: number) => new Date(DAY1 + (n - 1) * DAY).toISOString();
const stampOf = (n: number) => periodStamp(Math.floor((DAY1 + (n - 1) * DAY) / DAY) * DAY);

let emu: RunningEmulator;
let host: ProviderHost;

beforeAll(async () => {
  [emu, host] = await Promise.all([
    startTestEmulator(),
    startHost({ projectDir: REPO_ROOT, project: EXAMPLE_PROJECT, baseEnv: envWithoutHuaweiSettings() }),
  ]);
  await host.configure(stackConfig(emu));
}, 60_000);

afterAll(async () => {
  await host?.close();
  await emu?.close();
});

/** The plan's EVS snapshots of the volume in the cloud, by period stamp. */
function evsStamps(): string[] {
  return emu
    .world()
    .evs.snapshots.filter((s) => s.volume_id === VOLUME && s.metadata?.["backup-plan"] === "warehouse")
    .map((s) => String(s.name).replace("warehouse-", ""))
    .sort();
}
function dwsStamps(): string[] {
  const prefix = `warehouse-${CLUSTER.slice(0, 8)}-`;
  return emu
    .world()
    .dws.snapshots.filter((s) => s.name.startsWith(prefix) && !s.name.includes("-copy-"))
    .map((s) => s.name.slice(prefix.length))
    .sort();
}
const stamps = (days: number[]) => days.map(stampOf).sort();

function expectExact(r: DayResult) {
  expect(r.failures).toEqual([]);
  expect(r.changed).toEqual([]);
  // The preview showed exactly what the up did.
  expect(r.preview.creates).toEqual(r.created);
  expect(r.preview.deletes).toEqual(r.deleted);
}

describe("a BackupPlan over simulated days", () => {
  const state = new Map<string, ResourceState>();
  const day = (n: number, extra: Record<string, string> = {}, preview = true) =>
    upDay(host, emu, state, { now: dayAt(n), keepLast: "7", keepMaxAge: "30d", ...extra }, { preview });

  it("day 1 creates the day's snapshots, the copies of the automated ones and the replication", async () => {
    const r = await day(1);
    expectExact(r);
    expect(r.created).toEqual(
      expect.arrayContaining([
        `warehouse-evs-${VOLUME}-${stampOf(1)}`,
        `warehouse-dws-${CLUSTER}-${stampOf(1)}`,
        "warehouse-replicate",
      ]),
    );
    expect(r.created.filter((n) => n.startsWith("warehouse-copy-"))).toHaveLength(
      DEFAULT_IDS.dwsAutomatedSnapshotIds.length,
    );
    expect(r.deleted).toEqual([]);
    expect(evsStamps()).toEqual(stamps([1]));
    expect(dwsStamps()).toEqual(stamps([1]));
  }, 120_000);

  it("a second up within the period changes nothing", async () => {
    const r = await upDay(host, emu, state, {
      now: new Date(Date.parse(dayAt(1)) + 5 * 3_600_000).toISOString(),
    });
    expectExact(r);
    expect(r.created).toEqual([]);
    expect(r.deleted).toEqual([]);
  }, 120_000);

  it("days 2-7 add one snapshot per target each", async () => {
    for (let n = 2; n <= 7; n++) {
      const r = await day(n, {}, n === 2);
      expectExact(r);
      expect(r.created).toEqual(
        [`warehouse-dws-${CLUSTER}-${stampOf(n)}`, `warehouse-evs-${VOLUME}-${stampOf(n)}`].sort(),
      );
      expect(r.deleted).toEqual([]);
    }
    expect(evsStamps()).toEqual(stamps([1, 2, 3, 4, 5, 6, 7]));
  }, 300_000);

  it("day 8 creates one and deletes the oldest", async () => {
    const r = await day(8);
    expectExact(r);
    expect(r.created).toHaveLength(2);
    expect(r.deleted).toEqual(
      [`warehouse-dws-${CLUSTER}-${stampOf(1)}`, `warehouse-evs-${VOLUME}-${stampOf(1)}`].sort(),
    );
    expect(evsStamps()).toEqual(stamps([2, 3, 4, 5, 6, 7, 8]));
    expect(dwsStamps()).toEqual(stamps([2, 3, 4, 5, 6, 7, 8]));
  }, 120_000);

  it("a foreign snapshot with a similar name survives; a missed day creates only one", async () => {
    const client = createClient(resolveSettings({ config: { get: (k) => planConfig(emu, {})[k] }, env: {} }));
    const evs = evsApi(client, REGIONS.primary.name);
    // Same name shape, no plan marker; and the plan's marker on a name of another shape.
    const foreign = [
      await evs.createSnapshot({ volume_id: VOLUME, name: `warehouse-${stampOf(2)}` }),
      await evs.createSnapshot({
        volume_id: VOLUME,
        name: `warehouse-${stampOf(3)}-manual`,
        metadata: { "backup-plan": "warehouse", "backup-period": stampOf(3) },
      }),
    ];
    const r = await day(10); // day 9 was missed
    expectExact(r);
    expect(r.created).toEqual(
      [`warehouse-dws-${CLUSTER}-${stampOf(10)}`, `warehouse-evs-${VOLUME}-${stampOf(10)}`].sort(),
    );
    expect(r.deleted).toHaveLength(2); // day 2 of each: still 7 kept, none invented for day 9
    expect(evsStamps()).toEqual(
      stamps([3, 4, 5, 6, 7, 8, 10])
        .concat(`${stampOf(3)}-manual`)
        .sort(),
    );
    const ids = emu.world().evs.snapshots.map((s) => s.id);
    for (const f of foreign) expect(ids).toContain(f.id);
  }, 120_000);

  it("a rotation day under faults (5xx, resets, throttling) ends with exactly the declared set", async () => {
    emu.setFaults({ serverErrorRate: 0.2, resetRate: 0.1, rateLimitPerSecond: 8 });
    emu.resetCounts();
    let r: DayResult;
    try {
      r = await day(11);
    } finally {
      emu.setFaults({ serverErrorRate: 0, resetRate: 0, rateLimitPerSecond: 0 });
    }
    const counts = emu.counts();
    expect((counts["faults.serverError"] ?? 0) + (counts["faults.reset"] ?? 0)).toBeGreaterThan(0);
    expectExact(r);
    expect(r.created).toHaveLength(2);
    expect(r.deleted).toHaveLength(2);
    // No duplicate, no orphan, nothing kept deleted: the cloud holds exactly the declared periods.
    expect(evsStamps().filter((s) => !s.endsWith("-manual"))).toEqual(stamps([4, 5, 6, 7, 8, 10, 11]));
    expect(dwsStamps()).toEqual(stamps([4, 5, 6, 7, 8, 10, 11]));
  }, 180_000);

  it("a smaller keep deletes exactly the surplus", async () => {
    const r = await day(11, { keepLast: "3" });
    expectExact(r);
    expect(r.created).toEqual([]);
    expect(r.deleted).toHaveLength(8); // 4 EVS and 4 DWS snapshots
    expect(dwsStamps()).toEqual(stamps([8, 10, 11]));
    expect(evsStamps()).toEqual(
      stamps([8, 10, 11])
        .concat(`${stampOf(3)}-manual`)
        .sort(),
    );
  }, 120_000);
});
