/**
 * A local Huawei Cloud emulator (IAM, DWS, EVS, CBR) on one base URL. See docs/emulator.md.
 *
 *   const emu = await startEmulator({ port: 0 });
 *   // point the client at emu.url with the demo credentials from ./defaults
 *   await emu.close();
 */
import { Backend, type SeedInput, type SeedResult, type WorldItem, type WorldJson } from "./backend";
import { type Clock, ManualClock, Random } from "./clock";
import {
  type Config,
  DEFAULT_TIMINGS,
  defaultFaults,
  mergeFaults,
  mergeTimings,
  type Timings,
} from "./config";
import { StateFile } from "./persistence";
import { everyOperation, mergeProgress, type ProgressModel, type ProgressModels } from "./progress";
import { ADMIN_PREFIX, EmulatorServer, type FaultsPatch } from "./server";

export type { Faults, Timings } from "./config";
export { DEFAULT_TIMINGS, defaultFaults, FAST_TIMINGS } from "./config";
export * from "./defaults";
export type { ProgressModel, ProgressModels, ProgressOperation } from "./progress";
export { PROGRESS_MODELS, PROGRESS_OPERATIONS, parseProgress, progressOf } from "./progress";
export type { Clock, FaultsPatch, SeedInput, SeedResult, WorldItem, WorldJson };
export { ADMIN_PREFIX, Backend, ManualClock, Random };

export interface StartOptions {
  /** Default 0 (a free port). */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  timings?: Partial<Timings>;
  /** Progress model per operation, or one for all (emulator/progress.ts); default linear. */
  progress?: ProgressModels | ProgressModel;
  faults?: FaultsPatch;
  /** Optional persistence file: loaded at start when it exists, written after changes and on close. */
  statePath?: string;
  world?: "default" | "empty";
  /** Injected clock (tests); default the system clock. */
  clock?: Clock;
  /** Seed for the fault/failure/jitter randomness (reproducible tests). */
  seed?: number;
  /** Diagnostics, e.g. the canonical request of a failed signature (newlines shown as `|`). */
  debug?: boolean | ((line: string) => void);
}

export interface RunningEmulator {
  url: string;
  port: number;
  /** The models, drivable without HTTP. */
  backend: Backend;
  setTimings(t: Partial<Timings>): void;
  setProgress(p: ProgressModels | ProgressModel): void;
  setFaults(f: FaultsPatch): void;
  /** Requests per operation ("evs.CreateSnapshot", …) plus "throttled", "faults.reset", … */
  counts(): Record<string, number>;
  resetCounts(): void;
  world(): WorldJson;
  /** Closes the server and all sockets promptly (and writes the state file). */
  close(): Promise<void>;
}

export async function startEmulator(opts: StartOptions = {}): Promise<RunningEmulator> {
  const config: Config = {
    timings: mergeTimings({ ...DEFAULT_TIMINGS }, opts.timings),
    faults: mergeFaults(defaultFaults(), opts.faults),
    progress: mergeProgress({}, progressPatch(opts.progress)),
  };
  let stateFile: StateFile | undefined;
  const backend = new Backend({
    config,
    ...(opts.clock ? { clock: opts.clock } : {}),
    random: new Random(opts.seed),
    world: opts.world ?? "default",
  });
  if (opts.statePath) {
    stateFile = new StateFile(opts.statePath, () => backend.dump());
    const saved = stateFile.load();
    if (saved) backend.load(saved);
    backend.onChange = () => stateFile?.schedule();
    stateFile.flush();
  }
  const debug =
    typeof opts.debug === "function"
      ? opts.debug
      : opts.debug
        ? (line: string) => process.stderr.write(`[emulator] ${line}\n`)
        : undefined;
  const server = new EmulatorServer({ backend, ...(debug ? { debug } : {}) });
  const host = opts.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.server.once("error", reject);
    server.server.listen(opts.port ?? 0, host, () => {
      server.server.off("error", reject);
      resolve();
    });
  });
  const address = server.server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  let closed: Promise<void> | undefined;
  return {
    url: `http://${host.includes(":") ? `[${host}]` : host}:${port}`,
    port,
    backend,
    setTimings: (t) => server.setTimings(t),
    setProgress: (p) => server.setProgress(progressPatch(p) ?? {}),
    setFaults: (f) => server.setFaults(f),
    counts: () => server.countsObject(),
    resetCounts: () => server.resetCounts(),
    world: () => backend.world(),
    close: () => {
      closed ??= server.close().then(() => stateFile?.flush());
      return closed;
    },
  };
}

function progressPatch(p: ProgressModels | ProgressModel | undefined): ProgressModels | undefined {
  return typeof p === "string" ? everyOperation(p) : p;
}
