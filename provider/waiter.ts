/**
 * The one waiter: "poll this until a target state" as a single call.
 *
 * Shaped after @smithy/util-waiter: a pure function computes the next delay, and the loop returns an
 * outcome (success, failure, gone, timeout, aborted) instead of throwing, with a count of what it
 * observed so a timeout message can say what the resource was doing.
 *
 * The schedule (issue 14; docs/bench.md has the numbers):
 * - Without usable progress, polls follow a grid whose step grows with the time elapsed since the
 *   operation began: 2.5 s in the first 12 s (the first poll after 1 s), then the larger of 10.5 s and
 *   3.6% of the elapsed time. The delay after completion stays a small share of the run and the
 *   calls grow with the logarithm of its length. Each wait takes a random phase on the grid, so
 *   resources started together do not poll together and the delay is spread over one step. A grid
 *   point within 0.3 step of the poll before it (the first poll, or one placed by progress) is
 *   skipped: it would learn next to nothing.
 * - Progress is evidence, not truth. Huawei Cloud reports an integer percentage (DWS `progress`, EVS
 *   `os-extended-snapshot-attributes:progress`, CBR `extra_info.progress`). While every reading
 *   fits one straight line from the start, the readings bound the end from both sides (allowing for
 *   when each request was sent and answered), the window narrows with each reading, polls in the
 *   last tenth are placed to halve it, and the last lands just after its far end. The same fit on
 *   the square of the time covers progress that lags the clock (p ∝ t², the first half of an
 *   S-curve). Once two readings above 0% fit, polls may be up to four grid steps apart (the steps
 *   of now, or of where the poll lands: early steps are short); before, the grid bounds them.
 * - When no shape from the start fits but progress still rises, three things are read from it:
 *   lower bounds of the end (growth never faster than the square of the time; growth no faster
 *   than on the last rises; the chord of a curve that slows down, bent with it near the end), which
 *   let a poll wait for them (up to four grid steps for the first, two for the others, which noise
 *   can fake); the chord of a curve that speeds up, which only brings a poll forward; and, at 97%
 *   or more reached recently, polls 1.2% of the elapsed time apart for a while.
 * - A reading that contradicts the clock (stuck, backwards, a jump, 100 while pending) ends all of
 *   that: the grid again. No interval is ever shorter than the floor (minDelayMs), and polls that
 *   progress brings forward never take the count more than two above the grid's by then, so
 *   misleading progress costs a bounded number of calls. A shape at the wrong pace that then jumps
 *   to done is what this trusts wrongly, for at most four grid steps.
 */

export type WaitState = "pending" | "success" | "failure" | "gone";

export interface Observation<T> {
  state: WaitState;
  /** The cloud's own status word, e.g. "CREATING", "available", "replicating". */
  status: string;
  /** Percent complete (0–100) when the API reports it. */
  progress?: number;
  value: T;
}

export interface WaitOptions<T> {
  /** One observation of the thing waited on. Errors thrown here end the wait as outcome "error". */
  poll: () => Promise<Observation<T>>;
  /** Total time allowed, from the call. */
  timeoutMs: number;
  /**
   * When the operation began (epoch ms). With progress this lets the first observation predict the
   * end. Unknown for a resumed wait: then two observations with different progress are used.
   */
  startedAt?: number;
  /** Delay before the first poll (default 1 s: long enough for the first progress reading to mean something). */
  firstDelayMs?: number;
  /** Bounds of every delay (defaults 200 ms and 10 minutes). */
  minDelayMs?: number;
  maxDelayMs?: number;
  /** Poll once immediately instead of after firstDelayMs (used when resuming). */
  pollImmediately?: boolean;
  signal?: AbortSignal;
  /** Injected for tests: a fake clock. */
  clock?: Clock;
  /** Called after each observation (progress display, debug log). */
  onObservation?: (o: Observation<T>, elapsedMs: number) => void;
}

export interface Clock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  random(): number;
}

export type WaitOutcome = "success" | "failure" | "gone" | "timeout" | "aborted" | "error";

export interface WaitResult<T> {
  outcome: WaitOutcome;
  last?: Observation<T>;
  error?: unknown;
  polls: number;
  elapsedMs: number;
  /** How many observations saw each status, e.g. { CREATING: 3, AVAILABLE: 1 }. */
  statuses: Record<string, number>;
}

export const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve) => {
      if (signal?.aborted) return resolve();
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        signal?.removeEventListener("abort", done);
        resolve();
      }
      signal?.addEventListener("abort", done, { once: true });
    }),
  random: () => Math.random(),
};

export interface ProgressPoint {
  /** When the answer arrived. */
  at: number;
  progress: number;
  /** When the request was sent (default `at`): the reading was taken in between. */
  sentAt?: number;
}

export interface DelayInput {
  now: number;
  /** Polls so far (the schedule itself depends on elapsed time, not on this count). */
  attempt: number;
  /** When the operation began, if known. */
  startedAt?: number;
  /** When this wait began (the origin of elapsed time when startedAt is unknown); default now. */
  waitStartedAt?: number;
  /** Progress readings of pending observations so far, oldest first. */
  history: readonly ProgressPoint[];
  firstDelayMs: number;
  minDelayMs: number;
  maxDelayMs: number;
  /** This wait's phase on the no-progress grid, uniform in [0, 1) and the same for every call. */
  random: number;
}

/** Margin added after a predicted completion so the poll lands just after it, not just before. */
const PREDICTION_MARGIN_MS = 60;
/**
 * The no-progress schedule: poll times on a grid whose step is about twice the delay issue 14
 * allows (the delay after completion is then spread over one step, its median half a step): a step
 * of 2.5 × firstDelayMs in the first 12 s, then the larger of 10.5 s and 3.6% of the elapsed time
 * (geometric from 292 s on), so the calls grow with the logarithm of the run. Each wait takes a
 * random phase on the grid: resources started together do not poll together, and wherever the
 * run ends, the delay is spread over one step.
 */
const EARLY_STEPS = 2.5;
const EARLY_END_MS = 12_000;
const PLATEAU_MS = 10_500;
const LATE_SHARE = 0.036;

/** Where the grid's three parts meet, for a given first delay. */
function gridShape(firstDelayMs: number) {
  const step = EARLY_STEPS * firstDelayMs;
  const early = Math.max(0, Math.ceil((EARLY_END_MS - firstDelayMs) / step));
  const t1 = firstDelayMs + step * early;
  const knee = Math.max(t1, PLATEAU_MS / LATE_SHARE);
  return { step, early, t1, knee, plateau: (knee - t1) / PLATEAU_MS };
}

/** The time (ms after the start) of grid point n ≥ 0, a continuous index. */
function gridTime(n: number, firstDelayMs: number): number {
  const g = gridShape(firstDelayMs);
  if (n <= g.early) return firstDelayMs + g.step * n;
  if (n <= g.early + g.plateau) return g.t1 + PLATEAU_MS * (n - g.early);
  return g.knee * (1 + LATE_SHARE) ** (n - g.early - g.plateau);
}

/** The inverse of gridTime: the continuous index of time t (ms after the start). */
function gridIndex(t: number, firstDelayMs: number): number {
  const g = gridShape(firstDelayMs);
  if (t <= g.t1) return Math.max(0, (t - firstDelayMs) / g.step);
  if (t <= g.knee) return g.early + (t - g.t1) / PLATEAU_MS;
  return g.early + g.plateau + Math.log(t / g.knee) / Math.log(1 + LATE_SHARE);
}

/** The grid's step at `elapsedMs`. */
function gridStep(elapsedMs: number, firstDelayMs: number): number {
  const n = gridIndex(Math.max(0, elapsedMs), firstDelayMs);
  return gridTime(n + 1, firstDelayMs) - gridTime(n, firstDelayMs);
}

/** A grid point closer than this share of a step to the poll before it is skipped. */
const GRID_GAP = 0.3;

/**
 * The delay from a poll at `elapsedMs` to the next no-progress grid point at `phase` ∈ [0, 1),
 * skipping one that would come right after it (the first poll, or one placed by progress, is off
 * the grid): a poll a moment after another learns next to nothing.
 */
export function noProgressDelay(elapsedMs: number, firstDelayMs: number, phase: number): number {
  const from = Math.max(0, elapsedMs) + GRID_GAP * gridStep(elapsedMs, firstDelayMs);
  const k = Math.floor(gridIndex(from, firstDelayMs) - phase + 1e-9) + 1;
  return gridTime(Math.max(0, k) + phase, firstDelayMs) - elapsedMs;
}

/** How many polls the grid has made by `elapsedMs`: the first one, then its points up to then. */
function gridPolls(elapsedMs: number, firstDelayMs: number, phase: number): number {
  if (elapsedMs < firstDelayMs) return 0;
  return 1 + Math.max(0, Math.floor(gridIndex(elapsedMs, firstDelayMs) - phase + 1e-9) + 1);
}

/**
 * Polls placed by progress before the grid's next point may bring the count at most this many
 * above the grid's by then: misleading readings cost a bounded number of calls, while polls that
 * progress lets skip leave room for more where it matters (the end).
 */
const EXTRA_POLLS = 2;
/** A curve that slows down (which noise can fake) may space polls up to this many grid steps apart. */
const DECEL_STEPS = 2;
/** The estimate of a slowing curve bends with it only from this percentage on (before, the chord's). */
const BEND_FROM = 80;

/** Near the end of progress that still moves (97% or more), the interval is this share of the elapsed time (at least TAIL_MIN_MS) … */
const TAIL_FROM = 97;
const TAIL_SHARE = 0.012;
const TAIL_MIN_MS = 1_000;
/** … for at most this share of the elapsed time after the current value was first seen. */
const TAIL_SPAN = 0.07;
/** A line that fits every reading may space polls up to this many grid steps apart. */
const TRUST_STEPS = 4;
/** Bisecting the end window from readings only pays in the last tenth of the run. */
const BISECT_WITHIN = 0.1;

/**
 * The delay before the next poll. Pure, so it is tested without a clock.
 *
 * The next grid point, unless progress says otherwise: a line (or a parabola) from the start that
 * fits every reading places the poll (within TRUST_STEPS grid steps once two moving readings
 * agree); else lower bounds of the end read from how progress rises may delay it, a chord may bring
 * it forward, and the end of moving progress replaces the grid's step by a fraction of the elapsed
 * time. Never before the floor, and never more than EXTRA_POLLS above the grid's count.
 */
export function nextDelay(input: DelayInput): number {
  const origin = input.startedAt ?? input.waitStartedAt ?? input.now;
  const elapsed = Math.max(0, input.now - origin);
  const toGrid = noProgressDelay(elapsed, input.firstDelayMs, input.random);
  // The grid's step here: the longest any interval may be without evidence.
  const step = gridStep(elapsed, input.firstDelayMs);
  // Once two readings above 0% agree with a shape they are trusted for up to TRUST_STEPS grid
  // steps; a single reading cannot be contradicted yet, so the grid still bounds the wait.
  const moving = input.history.filter((r) => r.progress > 0).length;
  const trust = moving >= 2 ? TRUST_STEPS * step : toGrid;
  let delay = toGrid;
  const line = straightLine(input);
  // A straight line from the start, else a parabola from the start (progress that lags the clock).
  const plan = line ? pollOnLine(line, input) : parabola(input);
  if (plan) {
    // Trusted up to TRUST_STEPS grid steps, or as many of the steps the grid takes where the poll
    // lands: early in a run the steps are short (2.5 s), and a line read over a few seconds may
    // already place a 30 s operation's end, beyond the steps of now but within those of then.
    const wait = plan.at - input.now;
    const then = TRUST_STEPS * gridStep(elapsed + wait, input.firstDelayMs);
    delay = moving >= 2 && wait <= then ? wait : Math.min(trust, wait);
  } else {
    // No shape fits every reading. Times before which the end is unlikely, each under an
    // assumption the readings support: growth never faster than the square of the time
    // (`square`), growth no faster than on the last rises (`local`), a curve that slows down.
    const curve = localEnd(input);
    const bounds = moving >= 2 ? growthBounds(input) : undefined;
    const square = bounds?.square ?? 0;
    const notBefore = Math.max(square, bounds?.local ?? 0, curve?.slowing ? curve.at : 0);
    if (notBefore > input.now) {
      // Waiting for an early estimate wastes nothing: within TRUST_STEPS grid steps for the
      // square's bound, DECEL_STEPS for the others (noise can fake them). One just ahead says
      // little (the end may come any moment): then no sooner than the tail's interval.
      const cap = Math.max(square > input.now ? Math.min(trust, square - input.now) : 0, DECEL_STEPS * step);
      delay = Math.min(cap, Math.max(TAIL_SHARE * elapsed, notBefore + PREDICTION_MARGIN_MS - input.now));
    } else {
      // The tail's polls replace the grid's, at a fraction of its step.
      if (movingTail(input, elapsed, origin))
        delay = Math.min(step, Math.max(TAIL_MIN_MS, TAIL_SHARE * elapsed));
      // A curve that speeds up may end before its chord says: the chord only brings a poll forward.
      if (curve && curve.at > input.now) delay = Math.min(delay, curve.at + PREDICTION_MARGIN_MS - input.now);
    }
  }
  // A poll brought forward must not take the count more than EXTRA_POLLS above the grid's by then.
  if (
    delay < toGrid &&
    input.attempt + 1 > gridPolls(elapsed + delay, input.firstDelayMs, input.random) + EXTRA_POLLS
  )
    delay = toGrid;
  return Math.min(input.maxDelayMs, Math.max(input.minDelayMs, delay));
}

/**
 * What the readings say if progress is a straight line in time: the rate (percent per ms) lies in
 * (vLo, vHi], and at `anchor.at` the true progress lies in [anchor.progress, anchor.progress + slack].
 * Undefined when no straight line fits every reading, or there is nothing to fit yet.
 */
interface Line {
  anchor: ProgressPoint;
  /** 0 when the anchor is the operation's start (exactly 0%), else 1 (an integer reading). */
  slack: number;
  vLo: number;
  vHi: number;
  /** The window of the end, epoch ms. */
  earliest: number;
  latest: number;
  /** The anchor is the operation's start: a reading at a chosen moment splits the rates exactly. */
  knownStart: boolean;
}

function straightLine(input: DelayInput): Line | undefined {
  const h = input.history;
  const last = h[h.length - 1];
  if (!last) return undefined;
  for (let i = 0; i < h.length; i++) {
    // 100 while pending, or going backwards: not a straight line to completion.
    if (h[i]!.progress >= 100 || h[i]!.progress < 0) return undefined;
    if (i > 0 && h[i]!.progress < h[i - 1]!.progress) return undefined;
  }
  const knownStart = input.startedAt !== undefined;
  const anchor: ProgressPoint = knownStart ? { at: input.startedAt!, progress: 0 } : h[0]!;
  const slack = knownStart ? 0 : 1;
  // When the operation really began: at startedAt (sent) at the earliest, and no later than the
  // answer to the create (this wait's start; a create queued by throttling can take seconds), up to
  // a minute (a resumed wait starts long after).
  const anchorFrom = knownStart ? anchor.at : (anchor.sentAt ?? anchor.at);
  const anchorTo = knownStart
    ? anchor.at + Math.min(60_000, Math.max(0, (input.waitStartedAt ?? anchor.at) - anchor.at))
    : anchor.at;
  let vLo = 0;
  let vHi = Number.POSITIVE_INFINITY;
  for (const r of h) {
    if (r === anchor) continue;
    // The reading was taken between r.sentAt and r.at; progress then was in [p, p+1), at the anchor
    // in [a, a+slack]: covered (p-a-slack, p+1-a), over at most r.at - anchorFrom, at least
    // r.sentAt - anchorTo.
    const longest = r.at - anchorFrom;
    const shortest = (r.sentAt ?? r.at) - anchorTo;
    if (longest > 0) vLo = Math.max(vLo, (r.progress - anchor.progress - slack) / longest);
    if (shortest > 0) vHi = Math.min(vHi, (r.progress + 1 - anchor.progress) / shortest);
  }
  if (!(vLo > 0) || !(vHi > vLo)) return undefined;
  const rest = 100 - anchor.progress;
  const earliest = anchorFrom + (rest - slack) / vHi;
  const latest = anchorTo + rest / vLo;
  // Still pending at the last reading: a line that ended before it does not fit.
  if (latest <= last.at) return undefined;
  return { anchor, slack, vLo, vHi, earliest: Math.max(earliest, last.at), latest, knownStart };
}

/**
 * Where to poll on a straight line: just after the window's far end once it is narrow; else, from
 * the start, at the moment a reading splits the possible rates in two (the percentage ticks over
 * at k / v for the middle rate v); else at the window's near end.
 */
function pollOnLine(line: Line, input: DelayInput): { at: number } {
  const total = line.latest - (input.startedAt ?? line.anchor.at);
  const narrow = line.latest - line.earliest <= Math.max(500, 0.0008 * total);
  if (narrow) return { at: line.latest + PREDICTION_MARGIN_MS };
  if (line.knownStart && line.earliest - input.now <= BISECT_WITHIN * total) {
    const vMid = (line.vLo + line.vHi) / 2;
    const soonest = input.now + input.minDelayMs;
    // The first tick not sooner than the floor, if it comes before the earliest end.
    const k = Math.max(1, Math.ceil((soonest - line.anchor.at) * vMid));
    const at = line.anchor.at + k / vMid + PREDICTION_MARGIN_MS / 2;
    if (at < line.earliest) return { at };
  }
  // Inside the window already: halve what is left of it (never a loop at the floor).
  if (line.earliest <= input.now) return { at: (input.now + line.latest) / 2 };
  return { at: line.earliest + PREDICTION_MARGIN_MS };
}

/** Time is measured in these units, squared, when fitting a parabola from the start. */
const SQUARE_UNIT_MS = 1000;

/**
 * Progress that lags the clock and catches up (slow to start, the first half of an S-curve) is
 * not a straight line in time but often one in time squared: p = a·(t − start)². The same fit as
 * straightLine on that axis, when the start is known, gives the window of the end; the poll is
 * placed just after its far end when it is narrow, else at its near end (or half-way through it
 * once inside). An S-curve leaves the parabola half-way (it predicts the end early); then the
 * readings fit neither, and localEnd takes over.
 */
function parabola(input: DelayInput): { at: number } | undefined {
  const s0 = input.startedAt;
  if (s0 === undefined) return undefined;
  const sq = (t: number) => s0 + Math.max(0, t - s0) ** 2 / SQUARE_UNIT_MS;
  const back = (u: number) => s0 + Math.sqrt(Math.max(0, u - s0) * SQUARE_UNIT_MS);
  const line = straightLine({
    ...input,
    now: sq(input.now),
    waitStartedAt: input.waitStartedAt === undefined ? undefined : sq(input.waitStartedAt),
    history: input.history.map((r) => ({
      at: sq(r.at),
      progress: r.progress,
      sentAt: r.sentAt === undefined ? undefined : sq(r.sentAt),
    })),
  });
  if (!line) return undefined;
  const earliest = back(line.earliest);
  const latest = back(line.latest);
  const total = latest - s0;
  if (latest - earliest <= Math.max(500, 0.0008 * total)) return { at: latest + PREDICTION_MARGIN_MS };
  if (earliest <= input.now) return { at: (input.now + latest) / 2 };
  return { at: earliest + PREDICTION_MARGIN_MS };
}

/** Monotone progress below 100%, as its readings show it: the only kind an end can be read from. */
function monotone(h: readonly ProgressPoint[]): boolean {
  for (let i = 0; i < h.length; i++) {
    if (h[i]!.progress >= 100 || h[i]!.progress < 0) return false;
    if (i > 0 && h[i]!.progress < h[i - 1]!.progress) return false;
  }
  return true;
}

/**
 * Lower bounds of the end from how fast progress has grown since the start (known start only).
 *
 * `square`: progress that has never grown faster than the square of the time since the start (a
 * line, an S-curve, progress that lags the clock) does not reach 100% before
 * start + (t − start)·√(100 / (p + 1)) from any reading p at t (p + 1: the most an integer
 * reading hides). Checked on every reading: p / t² never above what an earlier one allows.
 *
 * `local`: the same with the exponent of the last rise (p ∝ t^α between the last two values seen,
 * α at its largest within the integer readings, at most 2), when it is not larger than the rise
 * before: growth that slows in these terms (an S-curve past its first part, α from 2 down to 0)
 * is bounded more tightly by it. Equal to `square` when it cannot be read.
 *
 * Undefined without a known start, for progress that goes backwards or reports 100% while
 * pending, or when some reading rose faster than the square allows (a jump: no bound).
 */
function growthBounds(input: DelayInput): { square: number; local: number } | undefined {
  const s0 = input.startedAt;
  const h = input.history;
  if (s0 === undefined || !monotone(h)) return undefined;
  let ceiling = Number.POSITIVE_INFINITY;
  let square: number | undefined;
  // The first reading of each new value above 0% (below 99%, where progress waits for the end).
  const rises: { t: number; p: number }[] = [];
  for (const r of h) {
    // When the reading was taken: at the earliest when its request was sent.
    const t = (r.sentAt ?? r.at) - s0;
    if (t <= 0) continue;
    if (r.progress / (r.at - s0) ** 2 > ceiling) return undefined;
    ceiling = Math.min(ceiling, (r.progress + 1) / t ** 2);
    if (r.progress > 0) square = Math.max(square ?? 0, s0 + t * Math.sqrt(100 / (r.progress + 1)));
    const prev = rises[rises.length - 1];
    if (r.progress > 0 && r.progress < 99 && (!prev || r.progress > prev.p))
      rises.push({ t: r.at - s0, p: r.progress });
  }
  if (square === undefined) return undefined;
  const n = rises.length;
  if (n < 3) return { square, local: square };
  const [a, b, c] = [rises[n - 3]!, rises[n - 2]!, rises[n - 1]!];
  const exponent = (x: { t: number }, y: { t: number }, px: number, py: number) =>
    Math.log(py / px) / Math.log(y.t / x.t);
  const last = exponent(b, c, b.p, c.p + 1);
  // Not larger than the rise before, even at the extremes the integer readings allow.
  if (!(exponent(b, c, b.p + 1, c.p) <= exponent(a, b, a.p, b.p + 1)) || !(last > 0))
    return { square, local: square };
  const r = h[h.length - 1]!;
  const t = (r.sentAt ?? r.at) - s0;
  return { square, local: Math.max(square, s0 + t * (100 / (r.progress + 1)) ** (1 / Math.min(2, last))) };
}

/**
 * Where progress that moves but fits no shape from the start is headed, from its last rises (the
 * moments each new value was first seen, the start as 0% when known; 99% left out, where progress
 * waits for the end).
 *
 * The chord: the end at the rate between the last two rises. On a curve that speeds up it is late,
 * so it only ever brings a poll forward. `slowing` when the last chord is less steep than an
 * earlier one even at the extremes the integer readings allow (a one-point step over a short gap
 * is noise): then the chord is early (a concave curve lies below it), and from BEND_FROM% the
 * estimate bends with the curve: the parabola through the last three rises (at its top if it tops
 * out below 100%), at most twice the chord's time (what a parabola that flattens at 100% takes).
 * Undefined for progress that goes backwards or reports 100% while pending, or with fewer than two
 * rises.
 */
function localEnd(input: DelayInput): { at: number; slowing: boolean } | undefined {
  const h = input.history;
  if (!monotone(h)) return undefined;
  const points: { at: number; progress: number }[] = [];
  if (input.startedAt !== undefined) points.push({ at: input.startedAt, progress: 0 });
  for (const r of h) {
    const prev = points[points.length - 1];
    if (r.progress < 99 && (!prev || r.progress > prev.progress))
      points.push({ at: r.at, progress: r.progress });
  }
  const n = points.length;
  if (n < 2) return undefined;
  const slope = (x: { at: number; progress: number }, y: { at: number; progress: number }, rise = 0) =>
    (y.progress - x.progress + rise) / Math.max(1, y.at - x.at);
  const c = points[n - 1]!;
  const b = points[n - 2]!;
  const rate = slope(b, c);
  const chordEnd = c.at + (100 - c.progress) / rate;
  // The steepest earlier chord, at its least steep within the readings.
  let steepest = Number.NEGATIVE_INFINITY;
  for (let i = 1; i < n - 1; i++) steepest = Math.max(steepest, slope(points[i - 1]!, points[i]!, -1));
  if (!(slope(b, c, 1) < steepest)) return { at: chordEnd, slowing: false };
  const a = points[n - 3]!;
  if (c.progress < BEND_FROM) return { at: chordEnd, slowing: true };
  // The parabola through a, b, c (Newton's form): p(c.at + τ) = c.progress + m·τ + k·τ².
  const k = (rate - slope(a, b)) / Math.max(1, c.at - a.at);
  const m = rate + k * (c.at - b.at);
  const rest = 100 - c.progress;
  const disc = m * m + 4 * k * rest;
  let tau = chordEnd - c.at;
  if (k < 0 && m > 0) tau = disc >= 0 ? (m - Math.sqrt(disc)) / (-2 * k) : m / (-2 * k);
  return { at: c.at + Math.min(2 * (chordEnd - c.at), Math.max(chordEnd - c.at, tau)), slowing: true };
}

/**
 * Progress at TAIL_FROM% or more that reached its current value recently (within TAIL_SPAN of the
 * elapsed time), never went backwards, and did not get there on a straight line from the start (a
 * straight line that stops short of 100% is a stall, not a slow end; the reading that first showed
 * the current value counts: one that came ahead of the line is a curve speeding to its end): the
 * end is likely near.
 */
function movingTail(input: DelayInput, elapsed: number, origin: number): boolean {
  const history = input.history;
  const last = history[history.length - 1];
  if (!last || last.progress < TAIL_FROM || last.progress >= 100) return false;
  for (let i = 1; i < history.length; i++) if (history[i]!.progress < history[i - 1]!.progress) return false;
  let firstSeen = last.at;
  let before = history.length;
  for (let i = history.length - 1; i >= 0 && history[i]!.progress === last.progress; i--) {
    firstSeen = history[i]!.at;
    before = i;
  }
  if (input.startedAt !== undefined && straightLine({ ...input, history: history.slice(0, before + 1) }))
    return false;
  return origin + elapsed - firstSeen <= TAIL_SPAN * (firstSeen - origin);
}

/** Polls until success, failure, gone, timeout or abort. Never throws. */
export async function waitFor<T>(opts: WaitOptions<T>): Promise<WaitResult<T>> {
  const clock = opts.clock ?? realClock;
  const start = clock.now();
  const deadline = start + opts.timeoutMs;
  const firstDelayMs = opts.firstDelayMs ?? 1000;
  const minDelayMs = opts.minDelayMs ?? 200;
  const maxDelayMs = opts.maxDelayMs ?? 600_000;
  const phase = clock.random();
  let sentAt = start;
  const statuses: Record<string, number> = {};
  const history: ProgressPoint[] = [];
  let last: Observation<T> | undefined;
  let polls = 0;
  const result = (outcome: WaitOutcome, error?: unknown): WaitResult<T> => ({
    outcome,
    last,
    error,
    polls,
    elapsedMs: clock.now() - start,
    statuses,
  });

  let delay = opts.pollImmediately ? 0 : Math.min(firstDelayMs, opts.timeoutMs);
  for (let attempt = 1; attempt <= 100_000; attempt++) {
    if (delay > 0) await clock.sleep(Math.min(delay, Math.max(0, deadline - clock.now())), opts.signal);
    if (opts.signal?.aborted) return result("aborted");
    try {
      sentAt = clock.now();
      last = await opts.poll();
    } catch (error) {
      return result("error", error);
    }
    polls++;
    statuses[last.status] = (statuses[last.status] ?? 0) + 1;
    opts.onObservation?.(last, clock.now() - start);
    if (last.state !== "pending") return result(last.state);
    const now = clock.now();
    if (now >= deadline) return result("timeout");
    if (last.progress !== undefined && Number.isFinite(last.progress)) {
      history.push({ at: now, progress: last.progress, sentAt });
    }
    delay = nextDelay({
      now,
      attempt,
      startedAt: opts.startedAt,
      waitStartedAt: start,
      history,
      firstDelayMs,
      minDelayMs,
      maxDelayMs,
      random: phase,
    });
    // The last poll lands on the deadline rather than after it.
    if (now + delay > deadline) delay = deadline - now;
  }
  return result("timeout");
}

/**
 * For waits where any end will do (letting an operation finish before deleting its result): a
 * terminal failure counts as finished too.
 */
export function anyEnd<T>(o: Observation<T>): Observation<T> {
  return o.state === "failure" ? { ...o, state: "success" } : o;
}

/** "CREATING ×3, AVAILABLE ×1" — for timeout and failure messages. */
export function describeStatuses(statuses: Record<string, number>): string {
  return Object.entries(statuses)
    .map(([s, n]) => `${s} ×${n}`)
    .join(", ");
}
