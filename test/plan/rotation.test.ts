import { describe, expect, it } from "vitest";
import { HuaweiCloudError } from "../../provider/client/errors";
import { type BackupPlanDefinition, checkPlan } from "../../provider/plan/definition";
import {
  dwsCopyMarker,
  dwsCopyName,
  dwsSnapshotMarker,
  dwsSnapshotName,
  evsSnapshotName,
  ownDwsCopy,
  ownDwsSnapshot,
  ownEvsSnapshot,
} from "../../provider/plan/names";
import { parsePlanDuration, parseStamp, periodStamp, periodStart } from "../../provider/plan/period";
import { retain } from "../../provider/plan/retention";
import { type Existing, rotate } from "../../provider/plan/rotation";

const DAY = 86_400_000;
const VOLUME = "0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9";
const CLUSTER = "7a8b9c0d-1e2f-4a3b-8c4d-5e6f7a8b9c0d";
const AUTOMATED = "11111111-2222-4333-8444-555555555555";
const day = (n: number, hour = 3) => Date.UTC(2026, 10, n, hour, 0, 0);

function empty(): Existing {
  return { evs: new Map(), dws: new Map(), copies: new Map(), automated: new Map() };
}

function failuresOf(def: Partial<BackupPlanDefinition>, defaultRegion?: string): string {
  try {
    checkPlan("warehouse", { every: "1d", keep: { last: 7 }, evsVolumes: [VOLUME], ...def }, defaultRegion);
  } catch (err) {
    expect(err).toBeInstanceOf(HuaweiCloudError);
    expect((err as HuaweiCloudError).kind).toBe("input");
    return (err as Error).message;
  }
  return "";
}

describe("periods", () => {
  it("parses days and weeks, and every duration the resources take", () => {
    expect(parsePlanDuration("1d")).toBe(DAY);
    expect(parsePlanDuration("2w")).toBe(14 * DAY);
    expect(parsePlanDuration("90m")).toBe(90 * 60_000);
    expect(parsePlanDuration("1h30m")).toBe(90 * 60_000);
    expect(parsePlanDuration("0d")).toBeUndefined();
    expect(parsePlanDuration("1.5d")).toBeUndefined();
    expect(parsePlanDuration("daily")).toBeUndefined();
  });

  it("aligns periods on UTC and names them by their start", () => {
    expect(periodStamp(periodStart(day(30, 17), DAY))).toBe("20261130-0000");
    expect(periodStamp(periodStart(Date.UTC(2026, 10, 30, 17, 42, 10), 3_600_000))).toBe("20261130-1700");
    expect(periodStamp(periodStart(Date.UTC(2026, 10, 30, 17, 42, 10), 15 * 60_000))).toBe("20261130-1730");
    expect(parseStamp("20261130-1730")).toBe(Date.UTC(2026, 10, 30, 17, 30));
    expect(parseStamp("20261131-0000")).toBeUndefined(); // no 31 November
    expect(parseStamp("2026113-00000")).toBeUndefined();
  });
});

describe("retention", () => {
  const items = [1, 2, 3, 4, 5, 6, 7, 8].map((d) => ({ start: day(d, 0) }));
  it("keeps the last N, newest first", () => {
    const { kept, dropped } = retain(items, day(8), { last: 7 });
    expect(kept.map((i) => i.start)).toEqual([8, 7, 6, 5, 4, 3, 2].map((d) => day(d, 0)));
    expect(dropped).toEqual([{ start: day(1, 0) }]);
  });
  it("keeps what is younger than maxAge", () => {
    const { kept } = retain(items, day(8), { maxAgeMs: 3 * DAY });
    expect(kept.map((i) => i.start)).toEqual([8, 7, 6].map((d) => day(d, 0)));
  });
  it("applies both limits when both are given", () => {
    expect(retain(items, day(8), { last: 2, maxAgeMs: 30 * DAY }).kept).toHaveLength(2);
    expect(retain(items, day(8), { last: 7, maxAgeMs: 2 * DAY }).kept).toHaveLength(2);
  });
  it("counts snapshots that exist, not periods: missed days are not invented", () => {
    const sparse = [1, 5, 9].map((d) => ({ start: day(d, 0) }));
    expect(retain(sparse, day(9), { last: 2 }).kept.map((i) => i.start)).toEqual([day(9, 0), day(5, 0)]);
  });
});

describe("definition rules, checked before any API call", () => {
  it("accepts a full plan", () => {
    const p = checkPlan("warehouse", {
      every: "1d",
      keep: { last: 7, maxAge: "30d" },
      evsVolumes: [VOLUME],
      dwsClusters: [CLUSTER],
      dwsAutomatedCopies: { clusterId: CLUSTER, keep: { maxAge: "90d" } },
      replicate: {
        sourceVaultId: VOLUME,
        destinationVaultId: CLUSTER,
        destinationRegion: "ap-southeast-1",
      },
      now: "2026-11-30T03:00:00Z",
    });
    expect(p.everyMs).toBe(DAY);
    expect(p.keep).toEqual({ last: 7, maxAgeMs: 30 * DAY });
    expect(p.dwsAutomatedCopies).toEqual([
      { clusterId: CLUSTER, keep: { last: undefined, maxAgeMs: 90 * DAY } },
    ]);
    expect(p.namePrefix).toBe("warehouse");
    expect(p.now).toBe(day(30));
  });

  it.each([
    [{ every: "30s" }, "every: must be at least 1m"],
    [{ every: "daily" }, "every: must be a duration"],
    [{ keep: { last: 0 } }, "keep.last: must be at least 1: keeping 0 keeps nothing"],
    [{ keep: {} }, "keep: keeps nothing"],
    [{ keep: { maxAge: "12h" } }, "keep.maxAge: keeps nothing of a past period"],
    [{ evsVolumes: [VOLUME, VOLUME] }, `evsVolumes.1: volume ${VOLUME} is listed twice`],
    [{ dwsClusters: [CLUSTER, CLUSTER.toUpperCase()] }, "dwsClusters.1: cluster"],
    [{ evsVolumes: ["vol-1"] }, "evsVolumes.0: must be a EVS volume id"],
    [{ namePrefix: "1st" }, "namePrefix: must start with a letter"],
    [{ namePrefix: "a".repeat(37) }, "namePrefix: must be at most 36 characters"],
    [{ evsVolumes: [] }, "backs up nothing"],
    [{ now: "yesterday" }, "now: must be a valid time"],
    [{ extra: 1 } as Partial<BackupPlanDefinition>, 'Unrecognized key: "extra"'],
  ])("%j fails naming the field", (def, expected) => {
    const message = failuresOf(def);
    expect(message).toContain('BackupPlan "warehouse"');
    expect(message).toContain(expected);
  });

  it("refuses a replication to the source region, the plan's or the provider's", () => {
    const replicate = { sourceVaultId: VOLUME, destinationVaultId: CLUSTER, destinationRegion: "cn-north-4" };
    expect(failuresOf({ replicate }, "cn-north-4")).toContain("replicate.destinationRegion: must differ");
    expect(failuresOf({ replicate, region: "cn-north-4" })).toContain("replicate.destinationRegion");
    expect(failuresOf({ replicate }, "cn-east-3")).toBe("");
  });

  it("lists every broken rule at once", () => {
    const message = failuresOf({ every: "1s", keep: { last: 0 } });
    expect(message).toContain("every:");
    expect(message).toContain("keep.last:");
  });
});

describe("recognising the plan's own snapshots", () => {
  it("EVS: exact name and the plan's metadata", () => {
    const name = evsSnapshotName("warehouse", "20261130-0000");
    const metadata = { "backup-plan": "warehouse", "backup-period": "20261130-0000" };
    expect(ownEvsSnapshot("warehouse", { id: "a", name, metadata })).toEqual({
      id: "a",
      stamp: "20261130-0000",
      start: day(30, 0),
    });
    expect(ownEvsSnapshot("warehouse", { id: "a", name })).toBeUndefined();
    expect(ownEvsSnapshot("warehouse", { id: "a", name: `${name}-manual`, metadata })).toBeUndefined();
    expect(ownEvsSnapshot("ware", { id: "a", name, metadata })).toBeUndefined();
  });
  it("DWS: exact name and the marker description", () => {
    const name = dwsSnapshotName("warehouse", CLUSTER, "20261130-0000");
    expect(name).toBe("warehouse-7a8b9c0d-20261130-0000");
    const description = dwsSnapshotMarker("warehouse", "20261130-0000");
    expect(ownDwsSnapshot("warehouse", CLUSTER, { id: "a", name, description })?.stamp).toBe("20261130-0000");
    expect(ownDwsSnapshot("warehouse", CLUSTER, { id: "a", name, description: "mine" })).toBeUndefined();
    expect(ownDwsSnapshot("warehouse", AUTOMATED, { id: "a", name, description })).toBeUndefined();
    const copy = dwsCopyName("warehouse", CLUSTER, "20261130-0100");
    const marker = dwsCopyMarker("warehouse", AUTOMATED);
    expect(ownDwsCopy("warehouse", CLUSTER, { id: "c", name: copy, description: marker })).toEqual({
      id: "c",
      stamp: "20261130-0100",
      start: day(30, 1),
      sourceSnapshotId: AUTOMATED,
    });
    expect(ownDwsCopy("warehouse", CLUSTER, { id: "c", name: copy, description })).toBeUndefined();
  });
});

describe("rotation over simulated days (pure)", () => {
  const plan = (now: number, keep = { last: 7 }) =>
    checkPlan("warehouse", { every: "1d", keep, evsVolumes: [VOLUME], dwsClusters: [CLUSTER], now });

  /** Applies a rotation the way the engine would: declared children exist, the rest is gone. */
  function apply(existing: Existing, now: number, keep = { last: 7 }) {
    const r = rotate("warehouse", plan(now, keep), existing);
    let n = 0;
    for (const [map, kind] of [
      [existing.evs, "EvsSnapshot"],
      [existing.dws, "DwsSnapshot"],
    ] as const) {
      const target = [...map.keys()][0] ?? (kind === "EvsSnapshot" ? VOLUME : CLUSTER);
      map.set(
        target,
        r.children
          .filter((c) => c.kind === kind)
          .map((c) => ({
            id: String(c.args.existingId ?? `${kind}-${c.stamp}-${n++}`),
            stamp: c.stamp!,
            start: parseStamp(c.stamp!)!,
          })),
      );
    }
    return r;
  }

  it("day 1 creates, days 2-7 add one each, day 8 creates one and deletes the oldest", () => {
    const existing = empty();
    const first = apply(existing, day(1));
    expect(first.targets.map((t) => t.created)).toEqual([["20261101-0000"], ["20261101-0000"]]);
    expect(first.children.map((c) => c.name)).toEqual([
      `warehouse-evs-${VOLUME}-20261101-0000`,
      `warehouse-dws-${CLUSTER}-20261101-0000`,
    ]);
    expect(first.nextPeriodStart).toBe(day(2, 0));
    for (let d = 2; d <= 7; d++) {
      const r = apply(existing, day(d));
      expect(r.targets[0]!.created).toEqual([periodStamp(day(d, 0))]);
      expect(r.targets[0]!.deleted).toEqual([]);
      expect(r.targets[0]!.kept).toHaveLength(d);
    }
    const oldest = existing.evs.get(VOLUME)!.find((s) => s.stamp === "20261101-0000")!;
    const eighth = apply(existing, day(8));
    expect(eighth.targets[0]!.created).toEqual(["20261108-0000"]);
    expect(eighth.targets[0]!.deleted).toEqual([{ period: "20261101-0000", snapshotId: oldest.id }]);
    expect(eighth.children.filter((c) => c.kind === "EvsSnapshot")).toHaveLength(7);
  });

  it("within a period, a second run declares the same children, each with its existing id", () => {
    const existing = empty();
    const a = apply(existing, day(1, 3));
    const b = apply(existing, day(1, 23));
    expect(b.children.map((c) => c.name)).toEqual(a.children.map((c) => c.name));
    expect(b.targets.every((t) => t.created.length === 0 && t.deleted.length === 0)).toBe(true);
    expect(b.children.every((c) => typeof c.args.existingId === "string")).toBe(true);
  });

  it("a missed day creates only one; a smaller keep deletes exactly the surplus", () => {
    const existing = empty();
    for (const d of [1, 2, 3, 4]) apply(existing, day(d));
    const late = apply(existing, day(7));
    expect(late.targets[0]!.created).toEqual(["20261107-0000"]);
    expect(late.targets[0]!.kept.map((k) => k.period)).toEqual([
      "20261107-0000",
      "20261104-0000",
      "20261103-0000",
      "20261102-0000",
      "20261101-0000",
    ]);
    const fewer = apply(existing, day(7, 5), { last: 2 });
    expect(fewer.targets[0]!.created).toEqual([]);
    expect(fewer.targets[0]!.deleted.map((d) => d.period)).toEqual([
      "20261103-0000",
      "20261102-0000",
      "20261101-0000",
    ]);
  });

  it("copies every automated snapshot inside the retention, once", () => {
    const existing = empty();
    existing.automated.set(CLUSTER, [
      { id: AUTOMATED, start: day(20, 1) },
      { id: "22222222-2222-4333-8444-555555555555", start: Date.UTC(2026, 7, 1, 1) }, // four months old
    ]);
    const p = checkPlan("warehouse", {
      every: "1d",
      keep: { last: 7 },
      dwsAutomatedCopies: { clusterId: CLUSTER, keep: { maxAge: "90d" } },
      now: day(30),
    });
    const r = rotate("warehouse", p, existing);
    expect(r.children).toEqual([
      expect.objectContaining({
        kind: "DwsSnapshotCopy",
        name: `warehouse-copy-${CLUSTER}-20261120-0100`,
        args: expect.objectContaining({
          sourceSnapshotId: AUTOMATED,
          name: "warehouse-7a8b9c0d-copy-20261120-0100",
          description: `backup-plan warehouse copy of ${AUTOMATED}`,
        }),
      }),
    ]);
    // Once copied, the copy is kept (with its source from the marker) even after the source is gone.
    existing.automated.set(CLUSTER, []);
    existing.copies.set(CLUSTER, [
      { id: "copy-1", stamp: "20261120-0100", start: day(20, 1), sourceSnapshotId: AUTOMATED },
    ]);
    const again = rotate("warehouse", p, existing);
    expect(again.children[0]!.args).toMatchObject({ existingId: "copy-1", sourceSnapshotId: AUTOMATED });
  });
});
