/**
 * How the emulator's long operations report progress, and how fast their time runs: the one place
 * for both (issues 13 and 14).
 *
 * A real snapshot's progress is rarely a straight line: disks report 0% until done, clusters jump,
 * replications stall at 99% or report 100% while still running. Each operation (a Timings key below)
 * has a progress model, set at start (`startEmulator({ progress })`, `--progress`) or at run time
 * (`PUT /_emulator/progress`); the model is read when a progress is rendered, so a change applies
 * to operations already running too. The time scale multiplies the duration of every planned
 * operation (`timeScale` in Timings): 0.001 runs a 4-hour snapshot in 14.4 s.
 */

/** The operations that report progress. */
export const PROGRESS_OPERATIONS = [
  "dwsSnapshotCreate",
  "dwsSnapshotCopy",
  "evsSnapshotCreate",
  "cbrReplication",
] as const;
export type ProgressOperation = (typeof PROGRESS_OPERATIONS)[number];

export const PROGRESS_MODELS = [
  "linear",
  "none",
  "zero",
  "jumps",
  "stall99",
  "early100",
  "scurve",
  "noisy",
  "lagging",
] as const;
export type ProgressModel = (typeof PROGRESS_MODELS)[number];

export const PROGRESS_MODEL_DESCRIPTIONS: Record<ProgressModel, string> = {
  linear: "grows in a straight line with time (floor of the elapsed fraction)",
  none: "no progress field at all",
  zero: "0% until done",
  jumps: "0%, then 50% from half-way, then done",
  stall99: "straight line to 99% at 60% of the run, then 99% until done",
  early100: "straight line to 100% at half the run, then 100% while still pending",
  scurve: "smooth S-curve (smoothstep): slow start, fast middle, slow end",
  noisy: "straight line with ±5 points of noise, so it sometimes goes backwards",
  lagging: "lags the clock (quadratic): 25% at half-way, 81% at 90%",
};

export type ProgressModels = Partial<Record<ProgressOperation, ProgressModel>>;

export function isProgressModel(v: unknown): v is ProgressModel {
  return typeof v === "string" && (PROGRESS_MODELS as readonly string[]).includes(v);
}

/** Merges a patch of per-operation models; unknown operations or models are ignored. */
export function mergeProgress(
  base: ProgressModels | undefined,
  patch: ProgressModels | undefined,
): ProgressModels {
  const out: ProgressModels = { ...base };
  for (const [op, model] of Object.entries(patch ?? {})) {
    if ((PROGRESS_OPERATIONS as readonly string[]).includes(op) && isProgressModel(model))
      out[op as ProgressOperation] = model;
  }
  return out;
}

/** The same model for every operation. */
export function everyOperation(model: ProgressModel): ProgressModels {
  return Object.fromEntries(PROGRESS_OPERATIONS.map((op) => [op, model])) as ProgressModels;
}

/**
 * `--progress` and StartOptions: one model for every operation ("zero"), or per operation
 * ("evsSnapshotCreate=zero,cbrReplication=none"). Throws naming what is wrong.
 */
export function parseProgress(text: string): ProgressModels {
  if (isProgressModel(text)) return everyOperation(text);
  const out: ProgressModels = {};
  for (const part of text.split(",")) {
    const [op, model] = part.split("=").map((x) => x.trim());
    if (!(PROGRESS_OPERATIONS as readonly string[]).includes(op ?? ""))
      throw new Error(`unknown operation "${op}" (one of ${PROGRESS_OPERATIONS.join(", ")})`);
    if (!isProgressModel(model))
      throw new Error(`unknown progress model "${model}" (one of ${PROGRESS_MODELS.join(", ")})`);
    out[op as ProgressOperation] = model;
  }
  return out;
}

/** A planned duration under the time scale (1 when unset or invalid; 0 makes it instant). */
export function scaledDuration(durationMs: number, timeScale: number | undefined): number {
  const k = timeScale !== undefined && Number.isFinite(timeScale) && timeScale >= 0 ? timeScale : 1;
  return durationMs * k;
}

/** "42%" as DWS and EVS render a progress; undefined (the field left out) when there is none. */
export function percentText(progress: number | undefined): string | undefined {
  return progress === undefined ? undefined : `${progress}%`;
}

/** A deterministic number in [0, 1) from a string and an integer (FNV-1a, then a mix). */
function hashUnit(key: string, n: number): number {
  let h = 0x811c9dc5 ^ n;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x45d9f3b);
  h ^= h >>> 16;
  return (h >>> 0) / 4294967296;
}

export interface ProgressInput {
  startedAt: number;
  completesAt: number;
  /** The time the progress is read at (already frozen at a failure by the caller). */
  now: number;
  /** The operation's id: the noise of the noisy model is a function of it and the time. */
  key: string;
}

/**
 * Integer percent under `model`, or undefined when the model reports none. Once the operation is
 * complete every model reports 100 (except none).
 */
export function progressOf(model: ProgressModel | undefined, p: ProgressInput): number | undefined {
  if (model === "none") return undefined;
  const span = p.completesAt - p.startedAt;
  if (p.now >= p.completesAt) return 100;
  if (span <= 0 || p.now <= p.startedAt) return 0;
  const x = (p.now - p.startedAt) / span;
  const pct = (f: number) => Math.max(0, Math.min(100, Math.floor(100 * f + 1e-9)));
  switch (model ?? "linear") {
    case "zero":
      return 0;
    case "jumps":
      return x < 0.5 ? 0 : 50;
    case "stall99":
      return Math.min(99, pct(x / 0.6));
    case "early100":
      return pct(Math.min(1, 2 * x));
    case "scurve":
      return Math.min(99, pct(x * x * (3 - 2 * x)));
    case "noisy": {
      // The noise changes 200 times over the run, so successive reads can disagree.
      const bucket = Math.floor(x * 200);
      const noise = Math.round((hashUnit(p.key, bucket) * 2 - 1) * 5);
      return Math.max(0, Math.min(99, pct(x) + noise));
    }
    case "lagging":
      return pct(x * x);
    default:
      return Math.min(99, pct(x));
  }
}

/**
 * An operation's progress as its API renders it at `now`: its model from the configuration, frozen
 * where an injected failure struck.
 */
export function operationProgress(
  models: ProgressModels | undefined,
  op: ProgressOperation,
  o: { id: string; startedAt: number; completesAt: number; failAt?: number },
  now: number,
): number | undefined {
  return progressOf(models?.[op], {
    startedAt: o.startedAt,
    completesAt: o.completesAt,
    now: Math.min(now, o.failAt ?? now),
    key: o.id,
  });
}
