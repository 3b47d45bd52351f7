/**
 * Part 1b, detection under every progress model: each of the emulator's progress models
 * (emulator/progress.ts) × operation times D from 2 s to 4 h, our waiter beside a Terraform-style
 * fixed cadence (EVS 10 s, DWS and CBR 30 s) and an AWS-SDK-style waiter, in the same run on the
 * same timelines.
 *
 * What is simulated, and what is not: hours cannot run in a benchmark, so time is virtual. Each
 * sample is one operation of duration D·(1 ± 5%) whose progress is the emulator's own model
 * (`progressOf`, the function the emulator's DWS, EVS and CBR views call), rendered as the EVS API
 * renders it ("42%", or no field) and parsed by the provider's `parsePercent`. Our side is the
 * provider's `waitFor` itself (provider/waiter.ts) with a virtual clock; the baselines are the
 * same loop with their schedules. No HTTP is involved here: part 1 measures the real-time path
 * (provider create over HTTP) for short D.
 */
import { PROGRESS_MODELS, type ProgressModel, progressOf } from "../emulator/progress";
import { parsePercent } from "../provider/services/util";
import { type Clock, type Observation, waitFor } from "../provider/waiter";
import { median, quantile, round } from "./stats";

export const MODEL_METHODS = ["ours", "terraform10", "terraform30", "awsSdk"] as const;
export type ModelMethod = (typeof MODEL_METHODS)[number];

export const METHOD_LABELS: Record<ModelMethod, string> = {
  ours: "ours",
  terraform10: "Terraform 10 s (EVS)",
  terraform30: "Terraform 30 s (DWS, CBR)",
  awsSdk: "AWS-SDK style (15 s, backoff to 120 s)",
};

export interface ModelCell {
  model: ProgressModel;
  durationMs: number;
  method: ModelMethod;
  samples: number;
  medianDelayMs: number;
  p90DelayMs: number;
  maxDelayMs: number;
  /** Smallest delay: negative would be a return before completion. */
  minDelayMs: number;
  medianCalls: number;
  maxCalls: number;
  /** Samples that did not end in success (timeout): must be 0. */
  failures: number;
  /** Calls per sample, in the order of the cell's timelines (the same for every method). */
  calls: number[];
}

export interface ModelsOptions {
  models?: readonly ProgressModel[];
  durationsMs: number[];
  samples: number;
  seed?: number;
}

export interface ModelsResult {
  simulated: true;
  jitter: number;
  cells: ModelCell[];
}

/** The durations of the full run: 2 s to 4 h. */
export const MODEL_DURATIONS_MS = [2_000, 10_000, 30_000, 120_000, 600_000, 1_800_000, 3_600_000, 14_400_000];

const JITTER = 0.05;

/** mulberry32: reproducible samples. */
function rng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function virtualClock(random: () => number): Clock & { t: number } {
  const c = {
    t: 0,
    now: () => c.t,
    sleep: async (ms: number) => {
      c.t += Math.max(0, ms);
    },
    random,
  };
  return c;
}

/** One operation on the virtual clock: pending until `endMs`, progress from the emulator's model. */
function operation(model: ProgressModel, endMs: number, key: string, clock: { now(): number }) {
  return (): Observation<null> => {
    const now = clock.now();
    const done = now >= endMs;
    const pct = progressOf(model, { startedAt: 0, completesAt: endMs, now, key });
    // As the EVS API renders it and the provider parses it.
    const progress = parsePercent(pct === undefined ? undefined : `${pct}%`);
    return {
      state: done ? "success" : "pending",
      status: done ? "available" : "creating",
      progress,
      value: null,
    };
  };
}

/** A fixed cadence: first poll after `delayMs`, then every `intervalMs` (Terraform's StateChangeConf). */
async function fixedCadence(
  poll: () => Observation<null>,
  clock: Clock & { t: number },
  delayMs: number,
  intervalMs: number,
  limitMs: number,
): Promise<number> {
  await clock.sleep(delayMs);
  for (let polls = 1; polls <= 1_000_000; polls++) {
    if (poll().state === "success") return polls;
    if (clock.t > limitMs) break;
    await clock.sleep(intervalMs);
  }
  return -1;
}

/**
 * An AWS-SDK-style waiter (@smithy/util-waiter): the first check at once, then a delay drawn
 * between the 15 s floor and 15 s × 2^(attempt−1), capped at 120 s.
 */
async function awsSdkWaiter(
  poll: () => Observation<null>,
  clock: Clock & { t: number },
  random: () => number,
  limitMs: number,
): Promise<number> {
  const min = 15_000;
  const max = 120_000;
  for (let polls = 1; polls <= 1_000_000; polls++) {
    if (poll().state === "success") return polls;
    if (clock.t > limitMs) break;
    const ceiling = Math.min(max, min * 2 ** Math.min(polls - 1, 10));
    await clock.sleep(min + random() * (ceiling - min));
  }
  return -1;
}

export async function runModels(opts: ModelsOptions): Promise<ModelsResult> {
  const models = opts.models ?? PROGRESS_MODELS;
  const cells: ModelCell[] = [];
  const random = rng(opts.seed ?? 14);
  for (const model of models) {
    for (const durationMs of opts.durationsMs) {
      // The same timelines for every method: one D per sample.
      // Spread evenly over D·(1 ± 5%), so each cell sees the whole range.
      const ends = Array.from(
        { length: opts.samples },
        (_, i) => durationMs * (1 + JITTER * (2 * ((i + 0.5) / opts.samples) - 1)),
      );
      for (const method of MODEL_METHODS) {
        const delays: number[] = [];
        const calls: number[] = [];
        let failures = 0;
        // Our waits' phases on their grid, spread evenly too (a low-discrepancy sequence, not in the
        // order of the ends), so a cell's median is not a lottery of a few dozen random phases.
        const offset = random();
        const phaseOf = (i: number) => (offset + i * 0.6180339887) % 1;
        const perSampleCalls: number[] = ends.map(() => Number.NaN);
        for (const [i, endMs] of ends.entries()) {
          const clock = virtualClock(method === "ours" ? () => phaseOf(i) : random);
          const poll = operation(model, endMs, `${model}-${durationMs}-${i}`, clock);
          const limitMs = 3 * durationMs + 600_000;
          let polls: number;
          if (method === "ours") {
            const r = await waitFor({
              poll: async () => poll(),
              timeoutMs: limitMs,
              startedAt: 0,
              clock,
            });
            polls = r.outcome === "success" ? r.polls : -1;
          } else if (method === "awsSdk") {
            polls = await awsSdkWaiter(poll, clock, random, limitMs);
          } else {
            const step = method === "terraform10" ? 10_000 : 30_000;
            polls = await fixedCadence(poll, clock, step, step, limitMs);
          }
          if (polls < 0) {
            failures++;
            continue;
          }
          delays.push(clock.t - endMs);
          // The create's POST, then the status reads.
          calls.push(1 + polls);
          perSampleCalls[i] = 1 + polls;
        }
        cells.push({
          model,
          durationMs,
          method,
          samples: ends.length,
          medianDelayMs: round(median(delays)),
          p90DelayMs: round(quantile(delays, 0.9)),
          maxDelayMs: round(delays.length ? Math.max(...delays) : Number.NaN),
          minDelayMs: round(delays.length ? Math.min(...delays) : Number.NaN),
          medianCalls: median(calls),
          maxCalls: calls.length ? Math.max(...calls) : Number.NaN,
          failures,
          calls: perSampleCalls,
        });
      }
    }
  }
  return { simulated: true, jitter: JITTER, cells };
}

/** Issue 14's delay bound for a model at D (the median's; p90's is twice it). */
export function modelDelayBoundMs(model: ProgressModel, durationMs: number): number {
  if (model === "linear") return Math.max(500, 0.0005 * durationMs);
  if (model === "scurve") return Math.max(1000, 0.01 * durationMs);
  return durationMs <= 10_000 ? 1500 : Math.max(6000, 0.02 * durationMs);
}

/** Issue 14's call budget at D, given the 10 s cadence's calls on the same timelines. */
export function modelCallBudget(durationMs: number, terraform10Calls: number): number {
  if (durationMs <= 10_000) return 8;
  if (durationMs >= 1_800_000) return Math.floor(terraform10Calls / 2);
  return terraform10Calls + 6;
}

export interface ModelCheck {
  model: ProgressModel;
  durationMs: number;
  delayBoundMs: number;
  /** The budget at the median of the 10 s cadence's calls (each sample is checked against its own). */
  callBudget: number;
  ours: ModelCell;
  terraform10: ModelCell;
  met: { median: boolean; p90: boolean; calls: boolean; neverEarly: boolean };
}

export function checkModels(result: ModelsResult): ModelCheck[] {
  const out: ModelCheck[] = [];
  const find = (m: ProgressModel, d: number, method: ModelMethod) =>
    result.cells.find((c) => c.model === m && c.durationMs === d && c.method === method);
  for (const c of result.cells) {
    if (c.method !== "ours") continue;
    const tf = find(c.model, c.durationMs, "terraform10");
    if (!tf) continue;
    const bound = modelDelayBoundMs(c.model, c.durationMs);
    const budget = modelCallBudget(c.durationMs, tf.medianCalls);
    // Each sample against the 10 s cadence on the same timeline.
    const overBudget = c.calls.filter((n, i) => !(n <= modelCallBudget(c.durationMs, tf.calls[i]!))).length;
    out.push({
      model: c.model,
      durationMs: c.durationMs,
      delayBoundMs: bound,
      callBudget: budget,
      ours: c,
      terraform10: tf,
      met: {
        median: c.failures === 0 && c.medianDelayMs <= bound,
        p90: c.failures === 0 && c.p90DelayMs <= 2 * bound,
        calls: overBudget === 0,
        neverEarly: c.failures === 0 && c.minDelayMs >= 0,
      },
    });
  }
  return out;
}
