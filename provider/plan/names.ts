/**
 * How a BackupPlan names what it makes, and how it recognises its own. A snapshot is the plan's own
 * only when its name has the plan's exact shape (prefix, target, period stamp) and its marker says
 * so: EVS metadata `backup-plan`, or, as DWS snapshots have no metadata, the description. Anything
 * else — a similar name, a name without the marker — is foreign, never adopted or deleted.
 */
import { parseStamp, STAMP_PATTERN } from "./period";

/** The metadata key (EVS) that marks a snapshot as a plan's own; its value is the plan's prefix. */
export const PLAN_METADATA_KEY = "backup-plan";
/** The metadata key (EVS) that records the period a snapshot belongs to. */
export const PERIOD_METADATA_KEY = "backup-period";

/** DWS names are unique per project: the first 8 characters of the cluster id keep plans' names apart per cluster. */
const short = (id: string) => id.slice(0, 8).toLowerCase();
// Prefixes are letters, digits, `-` and `_` (definition.ts): they need no escaping in a pattern.

export const evsSnapshotName = (prefix: string, stamp: string) => `${prefix}-${stamp}`;
export const dwsSnapshotName = (prefix: string, clusterId: string, stamp: string) =>
  `${prefix}-${short(clusterId)}-${stamp}`;
export const dwsCopyName = (prefix: string, clusterId: string, stamp: string) =>
  `${prefix}-${short(clusterId)}-copy-${stamp}`;

export const dwsSnapshotMarker = (prefix: string, stamp: string) => `backup-plan ${prefix} period ${stamp}`;
export const dwsCopyMarker = (prefix: string, sourceSnapshotId: string) =>
  `backup-plan ${prefix} copy of ${sourceSnapshotId}`;

/** One of the plan's own snapshots, with the period its name carries. */
export interface OwnSnapshot {
  id: string;
  stamp: string;
  /** The period's start (epoch ms), from the stamp. */
  start: number;
  /** Copies only: the automated snapshot it copies (from the marker). */
  sourceSnapshotId?: string;
}

function stampOf(name: string, pattern: string): { stamp: string; start: number } | undefined {
  const m = new RegExp(`^${pattern}$`).exec(name);
  const start = m ? parseStamp(m[1]!) : undefined;
  return start === undefined ? undefined : { stamp: m![1]!, start };
}

export function ownEvsSnapshot(
  prefix: string,
  s: { id: string; name?: string; metadata?: Record<string, string> },
): OwnSnapshot | undefined {
  if (s.metadata?.[PLAN_METADATA_KEY] !== prefix) return undefined;
  const p = stampOf(s.name ?? "", `${prefix}-${STAMP_PATTERN}`);
  return p && s.metadata?.[PERIOD_METADATA_KEY] === p.stamp ? { id: s.id, ...p } : undefined;
}

export function ownDwsSnapshot(
  prefix: string,
  clusterId: string,
  s: { id: string; name: string; description?: string },
): OwnSnapshot | undefined {
  const p = stampOf(s.name, `${prefix}-${short(clusterId)}-${STAMP_PATTERN}`);
  return p && s.description === dwsSnapshotMarker(prefix, p.stamp) ? { id: s.id, ...p } : undefined;
}

export function ownDwsCopy(
  prefix: string,
  clusterId: string,
  s: { id: string; name: string; description?: string },
): OwnSnapshot | undefined {
  const p = stampOf(s.name, `${prefix}-${short(clusterId)}-copy-${STAMP_PATTERN}`);
  const source = new RegExp(`^${dwsCopyMarker(prefix, "")}([0-9a-fA-F-]{36})$`).exec(s.description ?? "");
  return p && source ? { id: s.id, ...p, sourceSnapshotId: source[1]! } : undefined;
}
