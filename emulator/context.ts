/** What every service model shares: the clock, randomness, configuration and the region table. */
import type { Clock, Random } from "./clock";
import type { Config } from "./config";
import type { Region } from "./state";

export interface ModelContext {
  clock: Clock;
  random: Random;
  config: Config;
  regions(): Region[];
  /** Called after every mutation (drives persistence). */
  changed(): void;
}

/** A planned asynchronous operation: its end, and when an injected failure strikes (if it does). */
export function plan(
  ctx: ModelContext,
  start: number,
  durationMs: number,
  failRate: number,
): { completesAt: number; failAt?: number } {
  const completesAt = start + ctx.random.jitter(durationMs, ctx.config.timings.jitter);
  if (!ctx.random.chance(failRate)) return { completesAt };
  // A failure strikes somewhere between 30% and 90% of the way.
  const failAt = start + Math.floor((completesAt - start) * (0.3 + 0.6 * ctx.random.next()));
  return { completesAt, failAt };
}

export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface PageRequest {
  limit?: number;
  offset?: number;
  /** Id of the last item of the previous page (EVS, CBR); the page starts after it. */
  marker?: string;
}

export interface Page<T> {
  items: T[];
  /** Index of the first item in the whole list. */
  start: number;
  /** Whether items follow this page. */
  more: boolean;
}

/**
 * One page of an ordered list: from `marker` (after that id) or `offset`, at most
 * min(limit, cap) items. Undefined when the marker names no item of the list.
 */
export function page<T extends { id: string }>(
  items: T[],
  req: PageRequest,
  cap: number,
): Page<T> | undefined {
  let start = req.offset ?? 0;
  if (req.marker !== undefined) {
    const i = items.findIndex((x) => x.id === req.marker);
    if (i < 0) return undefined;
    start = i + 1;
  }
  const size = Math.min(req.limit ?? cap, cap);
  const slice = items.slice(start, start + size);
  return { items: slice, start, more: start + slice.length < items.length };
}

/** A resource as the API renders it. */
export interface ApiView {
  id: string;
  [field: string]: unknown;
}

/** Orders two view fields: numbers by value, anything else by its string. */
export function compare(a: unknown, b: unknown): number {
  if (typeof a === "number" && typeof b === "number") return a - b;
  const sa = String(a ?? "");
  const sb = String(b ?? "");
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}
