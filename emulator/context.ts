/** What every service model shares: the clock, randomness, configuration and the region table. */
import type { Clock, Random } from "./clock";
import type { Config } from "./config";
import { scaledDuration } from "./progress";
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
  const scaled = scaledDuration(durationMs, ctx.config.timings.timeScale);
  const completesAt = start + ctx.random.jitter(scaled, ctx.config.timings.jitter);
  if (!ctx.random.chance(failRate)) return { completesAt };
  // A failure strikes somewhere between 30% and 90% of the way.
  const failAt = start + Math.floor((completesAt - start) * (0.3 + 0.6 * ctx.random.next()));
  return { completesAt, failAt };
}

export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function paginate<T>(items: T[], offset: number | undefined, limit: number | undefined): T[] {
  const start = offset ?? 0;
  return limit === undefined ? items.slice(start) : items.slice(start, start + limit);
}

/** A resource as the API renders it. */
export interface ApiView {
  id: string;
  [field: string]: unknown;
}
