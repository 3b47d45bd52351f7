/**
 * The lookups against the emulator over real HTTP, as a program calls them: settings from the
 * program's stack config, every filter, lists longer than one page, mostRecent, and bad filters
 * refused before any call.
 */
import * as pulumi from "@pulumi/pulumi";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  emulatorStackConfig,
  FAST_TIMINGS,
  ManualClock,
  type RunningEmulator,
  startEmulator,
} from "../../emulator";
import {
  getCbrBackups,
  getDwsSnapshots,
  getDwsSnapshotsOutput,
  getEvsSnapshots,
  getEvsSnapshotsOutput,
} from "../../provider/lookups";

const MINUTE = 60_000;
let emu: RunningEmulator;
const clock = new ManualClock(Date.now());
const t0 = clock.now();
let volume: string;
let cluster: string;
let vault: string;
const ids: Record<string, string> = {};

beforeAll(async () => {
  // Pages of 2, so every list below takes several pages.
  emu = await startEmulator({
    port: 0,
    seed: 3,
    clock,
    timings: FAST_TIMINGS,
    pageSizes: { evsSnapshots: 2, dwsClusterSnapshots: 2, cbrBackups: 2 },
  });
  pulumi.runtime.setAllConfig(emulatorStackConfig(emu.url));
  const base = emu.backend.seed({
    dwsClusters: [{ name: "lookups" }],
    evsVolumes: [{ name: "lookups" }],
    cbrVaults: [{ name: "lookups" }],
  });
  [cluster] = base.dwsClusters as [string];
  [volume] = base.evsVolumes as [string];
  [vault] = base.cbrVaults as [string];
  // Three rounds, a minute apart (the emulator's clock; signatures allow 15 minutes of skew). The
  // emulator dates a seeded EVS snapshot or CBR backup a minute back, a DWS snapshot ten minutes back.
  const rounds = [
    {
      evs: ["nightly-a", "weekly-b"],
      dws: [
        ["nightly-1", "MANUAL"],
        ["auto-1", "AUTOMATED"],
      ],
      cbr: ["b-1"],
    },
    { evs: ["nightly-c"], dws: [["auto-2", "AUTOMATED"]], cbr: ["b-2", "b-3"] },
    {
      evs: ["nightly-d", "other"],
      dws: [
        ["nightly-2", "MANUAL"],
        ["auto-3", "AUTOMATED"],
      ],
      cbr: ["b-4"],
    },
  ] as const;
  for (const round of rounds) {
    const seeded = emu.backend.seed({
      evsSnapshots: round.evs.map((name) => ({
        volumeId: volume,
        name,
        status: name === "nightly-c" ? "error" : "available",
      })),
      dwsSnapshots: round.dws.map(([name, type]) => ({ clusterId: cluster, name, type })),
      cbrBackups: round.cbr.map((name) => ({
        vaultId: vault,
        name,
        status: name === "b-3" ? "error" : "available",
      })),
    });
    round.evs.forEach((n, i) => {
      ids[n] = seeded.evsSnapshots[i]!;
    });
    round.dws.forEach(([n], i) => {
      ids[n] = seeded.dwsSnapshots[i]!;
    });
    round.cbr.forEach((n, i) => {
      ids[n] = seeded.cbrBackups[i]!;
    });
    clock.advance(MINUTE);
  }
});

afterAll(async () => {
  pulumi.runtime.setAllConfig({});
  await emu?.close();
});

/** Between rounds: `at(r + 0.5)` is after round r (0-based) was seeded and before the next. */
const at = (minutes: number, seededBack = 1) => new Date(t0 + (minutes - seededBack) * MINUTE).toISOString();
const names = (items: { name: string }[]) => items.map((i) => i.name);

describe("getEvsSnapshots", () => {
  it("follows every page and returns the resource's field names, newest first", async () => {
    emu.resetCounts();
    const r = await getEvsSnapshots({ volumeId: volume });
    expect(new Set(names(r.items))).toEqual(
      new Set(["nightly-a", "weekly-b", "nightly-c", "nightly-d", "other"]),
    );
    expect(names(r.items).slice(2)).toContain("nightly-c");
    expect(names(r.items).indexOf("nightly-c")).toBe(2);
    expect(emu.counts()["evs.ListSnapshots"]).toBeGreaterThanOrEqual(3);
    expect(r.items[0]).toMatchObject({ volumeId: volume, status: "available", region: "cn-north-4" });
    expect(Object.keys(r.items[0]!)).toEqual(
      expect.arrayContaining([
        "id",
        "volumeId",
        "name",
        "description",
        "cloudMetadata",
        "status",
        "size",
        "createdAt",
      ]),
    );
    expect(r.ids).toEqual(r.items.map((i) => i.id));
  });

  it("filters by status, name prefix, name pattern and creation time", async () => {
    expect(names((await getEvsSnapshots({ volumeId: volume, status: "error" })).items)).toEqual([
      "nightly-c",
    ]);
    expect((await getEvsSnapshots({ volumeId: volume, status: ["AVAILABLE", "error"] })).items).toHaveLength(
      5,
    );
    expect(
      new Set(names((await getEvsSnapshots({ volumeId: volume, namePrefix: "nightly-" })).items)),
    ).toEqual(new Set(["nightly-a", "nightly-c", "nightly-d"]));
    expect(
      new Set(names((await getEvsSnapshots({ volumeId: volume, nameRegex: "^nightly-[ad]$" })).items)),
    ).toEqual(new Set(["nightly-a", "nightly-d"]));
    const middle = await getEvsSnapshots({ volumeId: volume, createdAfter: at(0.5), createdBefore: at(1.5) });
    expect(middle.items[0]?.createdAt).toBe(new Date(t0).toISOString());
    expect(names(middle.items)).toEqual(["nightly-c"]);
    const early = await getEvsSnapshots({ volumeId: volume, createdBefore: at(0.5) });
    expect(new Set(names(early.items))).toEqual(new Set(["nightly-a", "weekly-b"]));
  });

  it("mostRecent picks the newest match, and fails naming the filters when nothing matches", async () => {
    const r = await getEvsSnapshots({ volumeId: volume, namePrefix: "nightly-", mostRecent: true });
    expect(names(r.items)).toEqual(["nightly-d"]);
    expect(r.mostRecent?.id).toBe(ids["nightly-d"]);
    await expect(
      getEvsSnapshots({ volumeId: volume, namePrefix: "hourly-", mostRecent: true }),
    ).rejects.toThrow(/getEvsSnapshots.*no EVS snapshot matches .*"namePrefix":"hourly-"/s);
    // Without mostRecent an empty result is just empty.
    expect((await getEvsSnapshots({ volumeId: volume, namePrefix: "hourly-" })).items).toEqual([]);
  });

  it("as an output, taking inputs", async () => {
    const out = getEvsSnapshotsOutput({ volumeId: pulumi.output(volume), status: "error" });
    const value = await new Promise((resolve) => out.apply(resolve));
    expect(names((value as { items: { name: string }[] }).items)).toEqual(["nightly-c"]);
  });
});

describe("getDwsSnapshots", () => {
  it("filters by cluster and type over several pages; mostRecent picks the newest automated", async () => {
    emu.resetCounts();
    const automated = await getDwsSnapshots({ clusterId: cluster, type: "automated" });
    expect(names(automated.items)).toEqual(["auto-3", "auto-2", "auto-1"]);
    expect(emu.counts()["dws.ListClusterSnapshots"]).toBeGreaterThanOrEqual(3);
    const manual = await getDwsSnapshots({ clusterId: cluster, type: "manual" });
    expect(names(manual.items)).toEqual(["nightly-2", "nightly-1"]);
    expect(manual.items[0]).toMatchObject({ clusterId: cluster, type: "MANUAL", status: "AVAILABLE" });
    const latest = await getDwsSnapshots({ clusterId: cluster, type: "automated", mostRecent: true });
    expect(latest.mostRecent?.id).toBe(ids["auto-3"]);
    expect(latest.items).toHaveLength(1);
  });

  it("filters by status, name and time; the project-wide list without a cluster", async () => {
    expect((await getDwsSnapshots({ clusterId: cluster, status: "UNAVAILABLE" })).items).toEqual([]);
    expect(names((await getDwsSnapshots({ clusterId: cluster, nameRegex: "^auto-[12]$" })).items)).toEqual([
      "auto-2",
      "auto-1",
    ]);
    expect(names((await getDwsSnapshots({ clusterId: cluster, createdAfter: at(1.5, 10) })).items)).toEqual(
      expect.arrayContaining(["nightly-2", "auto-3"]),
    );
    const all = await getDwsSnapshots({ namePrefix: "auto-", nameRegex: "^auto-\\d$" });
    expect(names(all.items)).toEqual(["auto-3", "auto-2", "auto-1"]);
    await expect(
      getDwsSnapshots({ clusterId: cluster, type: "automated", createdAfter: at(5, 10), mostRecent: true }),
    ).rejects.toThrow(/no DWS snapshot matches .*"createdAfter":"[^"]+".*"type":"automated"/s);
  });

  it("as an output", async () => {
    const out = getDwsSnapshotsOutput({ clusterId: cluster, type: "automated", mostRecent: true });
    const value = (await new Promise((resolve) => out.apply(resolve))) as { mostRecent?: { name: string } };
    expect(value.mostRecent?.name).toBe("auto-3");
  });
});

describe("getCbrBackups", () => {
  it("filters by vault, status and name over several pages; mostRecent", async () => {
    emu.resetCounts();
    const all = await getCbrBackups({ vaultId: vault });
    expect(names(all.items).sort()).toEqual(["b-1", "b-2", "b-3", "b-4"]);
    expect(all.items[0]).toMatchObject({ vaultId: vault, region: "cn-north-4" });
    expect(names((await getCbrBackups({ vaultId: vault, status: "available" })).items).sort()).toEqual([
      "b-1",
      "b-2",
      "b-4",
    ]);
    expect((await getCbrBackups({ vaultId: vault, mostRecent: true })).mostRecent?.name).toBe("b-4");
    expect(names((await getCbrBackups({ vaultId: vault, createdBefore: at(0.5) })).items)).toEqual(["b-1"]);
  });
});

describe("bad filters are refused before any call, naming the filter", () => {
  it.each([
    [() => getEvsSnapshots({ volumeId: "disk-1" }), "volumeId: must be a EVS volume id"],
    [() => getDwsSnapshots({ type: "weekly" as "manual" }), 'type: must be "manual" or "automated"'],
    [() => getDwsSnapshots({ createdAfter: "yesterday" }), "createdAfter: must be an ISO 8601 time"],
    [() => getCbrBackups({ nameRegex: "(" }), "nameRegex: must be a valid regular expression"],
    [() => getEvsSnapshots({ region: "moon-1" } as never), "region: must be a region name"],
    [() => getEvsSnapshots({ volume: "x" } as never), 'Unrecognized key: "volume"'],
  ])("%#", async (call, message) => {
    emu.resetCounts();
    await expect(call()).rejects.toThrow(message);
    expect(Object.keys(emu.counts()).filter((k) => !k.startsWith("faults"))).toEqual([]);
  });
});
