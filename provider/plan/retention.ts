/**
 * What a BackupPlan keeps: a pure decision over the periods that really have a snapshot (plus the
 * current one, which the same `up` creates when it is missing).
 *
 * `last` caps the count and `maxAge` caps the age; given both, a snapshot is kept only while it
 * satisfies both. Periods in which no `up` ran have no snapshot and are not counted: "the last 7"
 * are the 7 most recent snapshots that exist, never periods invented in between.
 */

export interface Keep {
  /** How many of the most recent periods' snapshots to keep (at least 1). */
  last?: number;
  /** How old (from its period's start) a snapshot may be and still be kept. */
  maxAgeMs?: number;
}

/** Splits items (one per period, `start` = the period's start, epoch ms) into kept and dropped, newest first. */
export function retain<T extends { start: number }>(
  items: readonly T[],
  now: number,
  keep: Keep,
): { kept: T[]; dropped: T[] } {
  const newestFirst = [...items].sort((a, b) => b.start - a.start);
  const kept: T[] = [];
  const dropped: T[] = [];
  for (const item of newestFirst) {
    const withinCount = keep.last === undefined || kept.length < keep.last;
    const withinAge = keep.maxAgeMs === undefined || now - item.start < keep.maxAgeMs;
    (withinCount && withinAge ? kept : dropped).push(item);
  }
  return { kept, dropped };
}
