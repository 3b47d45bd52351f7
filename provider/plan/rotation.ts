/**
 * The rotation decision of a BackupPlan, as a pure function: from the checked definition and the
 * plan's own snapshots that exist now, the children to declare. A declared child is a snapshot to
 * keep (with `existingId`, so one missing from state is adopted, not duplicated) or the current
 * period's, to create. A snapshot that falls out of retention is simply not declared: the engine
 * deletes it as a removed child, so `pulumi preview` shows exactly those creates and deletes.
 */
import type { CheckedPlan } from "./definition";
import {
  dwsCopyMarker,
  dwsCopyName,
  dwsSnapshotMarker,
  dwsSnapshotName,
  evsSnapshotName,
  type OwnSnapshot,
  PERIOD_METADATA_KEY,
  PLAN_METADATA_KEY,
} from "./names";
import { periodStamp, periodStart } from "./period";
import { type Keep, retain } from "./retention";

export type ChildKind = "EvsSnapshot" | "DwsSnapshot" | "DwsSnapshotCopy" | "CbrReplication";

/** A child resource to declare: its kind, its Pulumi name (stable per target and period) and its args. */
export interface Child {
  kind: ChildKind;
  name: string;
  /** "evs:<volume id>", "dws:<cluster id>", "dws-copies:<cluster id>" or "cbr:<vault id>". */
  target: string;
  /** The period it belongs to (none for the replication). */
  stamp?: string;
  args: Record<string, unknown>;
}

export interface TargetRotation {
  target: string;
  /** Newest first: every snapshot the plan keeps, with its id when it exists already. */
  kept: { period: string; snapshotId?: string }[];
  /** Periods whose snapshot this rotation creates. */
  created: string[];
  /** The plan's own snapshots out of retention: removed children, deleted by the `up`. */
  deleted: { period: string; snapshotId: string }[];
  /** Further snapshots of the plan's shape for a period already held by another (left untouched). */
  ignored: string[];
}

export interface Rotation {
  children: Child[];
  targets: TargetRotation[];
  /** The current period's start and the next one's (epoch ms). */
  periodStart: number;
  nextPeriodStart: number;
}

/** The plan's own snapshots that exist, per target id (found with the lookups). */
export interface Existing {
  evs: Map<string, OwnSnapshot[]>;
  dws: Map<string, OwnSnapshot[]>;
  copies: Map<string, OwnSnapshot[]>;
  /** AVAILABLE automated snapshots per cluster with dwsAutomatedCopies: what may be copied. */
  automated: Map<string, { id: string; start: number }[]>;
}

interface Item {
  stamp: string;
  start: number;
  id?: string;
  sourceSnapshotId?: string;
}

/** One snapshot per period (the lowest id when the cloud holds two), the rest reported as ignored. */
function onePerPeriod(found: readonly OwnSnapshot[]): { items: Item[]; ignored: string[] } {
  const byStamp = new Map<string, Item>();
  const ignored: string[] = [];
  for (const s of [...found].sort((a, b) => a.id.localeCompare(b.id))) {
    if (byStamp.has(s.stamp)) ignored.push(s.id);
    else
      byStamp.set(s.stamp, {
        stamp: s.stamp,
        start: s.start,
        id: s.id,
        sourceSnapshotId: s.sourceSnapshotId,
      });
  }
  return { items: [...byStamp.values()], ignored };
}

function decide(target: string, items: Item[], ignored: string[], now: number, keep: Keep) {
  const { kept, dropped } = retain(items, now, keep);
  const report: TargetRotation = {
    target,
    kept: kept.map((i) => ({ period: i.stamp, snapshotId: i.id })),
    created: kept.filter((i) => !i.id).map((i) => i.stamp),
    deleted: dropped.flatMap((i) => (i.id ? [{ period: i.stamp, snapshotId: i.id }] : [])),
    ignored,
  };
  return { kept, report };
}

export function rotate(planName: string, plan: CheckedPlan, existing: Existing): Rotation {
  const start = periodStart(plan.now, plan.everyMs);
  const current = periodStamp(start);
  const prefix = plan.namePrefix;
  const common = { region: plan.region, timeouts: plan.timeouts };
  const children: Child[] = [];
  const targets: TargetRotation[] = [];

  /** A periodic target: its own snapshots, plus the current period's when it does not exist yet. */
  const periodic = (target: string, found: readonly OwnSnapshot[], child: (i: Item) => Child) => {
    const { items, ignored } = onePerPeriod(found);
    if (!items.some((i) => i.stamp === current)) items.push({ stamp: current, start });
    const { kept, report } = decide(target, items, ignored, plan.now, plan.keep);
    children.push(...kept.map(child));
    targets.push(report);
  };

  for (const volumeId of plan.evsVolumes) {
    periodic(`evs:${volumeId}`, existing.evs.get(volumeId) ?? [], (i) => ({
      kind: "EvsSnapshot",
      name: `${planName}-evs-${volumeId}-${i.stamp}`,
      target: `evs:${volumeId}`,
      stamp: i.stamp,
      args: {
        ...common,
        volumeId,
        name: evsSnapshotName(prefix, i.stamp),
        metadata: { [PLAN_METADATA_KEY]: prefix, [PERIOD_METADATA_KEY]: i.stamp },
        existingId: i.id,
      },
    }));
  }

  for (const clusterId of plan.dwsClusters) {
    periodic(`dws:${clusterId}`, existing.dws.get(clusterId) ?? [], (i) => ({
      kind: "DwsSnapshot",
      name: `${planName}-dws-${clusterId}-${i.stamp}`,
      target: `dws:${clusterId}`,
      stamp: i.stamp,
      args: {
        ...common,
        clusterId,
        name: dwsSnapshotName(prefix, clusterId, i.stamp),
        description: dwsSnapshotMarker(prefix, i.stamp),
        existingId: i.id,
      },
    }));
  }

  for (const { clusterId, keep } of plan.dwsAutomatedCopies) {
    // A copy per automated snapshot, named by the automated snapshot's start (to the minute).
    const { items, ignored } = onePerPeriod(existing.copies.get(clusterId) ?? []);
    for (const a of existing.automated.get(clusterId) ?? []) {
      const stamp = periodStamp(periodStart(a.start, 60_000));
      if (!items.some((i) => i.stamp === stamp || i.sourceSnapshotId === a.id)) {
        items.push({ stamp, start: periodStart(a.start, 60_000), sourceSnapshotId: a.id });
      }
    }
    const target = `dws-copies:${clusterId}`;
    const { kept, report } = decide(target, items, ignored, plan.now, keep);
    targets.push(report);
    children.push(
      ...kept.map(
        (i): Child => ({
          kind: "DwsSnapshotCopy",
          name: `${planName}-copy-${clusterId}-${i.stamp}`,
          target,
          stamp: i.stamp,
          args: {
            ...common,
            sourceSnapshotId: i.sourceSnapshotId,
            name: dwsCopyName(prefix, clusterId, i.stamp),
            description: dwsCopyMarker(prefix, i.sourceSnapshotId!),
            existingId: i.id,
          },
        }),
      ),
    );
  }

  if (plan.replicate) {
    // A vault replicates to a region once (the cloud's rule): one replication, not one per period.
    children.push({
      kind: "CbrReplication",
      name: `${planName}-replicate`,
      target: `cbr:${plan.replicate.sourceVaultId}`,
      args: { ...common, ...plan.replicate },
    });
  }
  return { children, targets, periodStart: start, nextPeriodStart: start + plan.everyMs };
}
