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
  DEFAULT_PAGE_SIZES,
  DEFAULT_TIMINGS,
  defaultFaults,
  mergeFaults,
  mergePageSizes,
  mergeTimings,
  type PageSizes,
  type Timings,
} from "./config";
import { StateFile } from "./persistence";
import { ADMIN_PREFIX, EmulatorServer, type FaultsPatch, isLoopbackHost, type ServerLimits } from "./server";

export type { Faults, PageSizes, Timings } from "./config";
export { DEFAULT_PAGE_SIZES, DEFAULT_TIMINGS, defaultFaults, FAST_TIMINGS } from "./config";
export * from "./defaults";
export { StateFileError } from "./persistence";
export { DEFAULT_LIMITS, isLoopbackHost, normalisePath, type ServerLimits } from "./server";
export type { Clock, FaultsPatch, SeedInput, SeedResult, WorldItem, WorldJson };
export { ADMIN_PREFIX, Backend, ManualClock, Random };

export interface StartOptions {
  /** Default 0 (a free port). */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  timings?: Partial<Timings>;
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
  /** Page sizes of the paged lists (default: the documented ones, 1000). */
  pageSizes?: Partial<PageSizes>;
  /** Header/body timeouts and the connection cap. */
  limits?: Partial<ServerLimits>;
  /** Require `Authorization: Bearer <token>` on the admin API. */
  adminToken?: string;
  /** Host names the admin API accepts besides loopback ones (when bound elsewhere). */
  adminHosts?: string[];
  /** Receives warnings (a non-loopback bind); default: standard error. */
  warn?: (line: string) => void;
}

export interface RunningEmulator {
  url: string;
  port: number;
  /** The models, drivable without HTTP. */
  backend: Backend;
  setTimings(t: Partial<Timings>): void;
  setFaults(f: FaultsPatch): void;
  setPageSizes(p: Partial<PageSizes>): void;
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
    pageSizes: mergePageSizes({ ...DEFAULT_PAGE_SIZES }, opts.pageSizes),
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
    backend.onChange = () => stateFile?.markDirty();
    stateFile.flush();
  }
  const debug =
    typeof opts.debug === "function"
      ? opts.debug
      : opts.debug
        ? (line: string) => process.stderr.write(`[emulator] ${line}\n`)
        : undefined;
  const server = new EmulatorServer({
    backend,
    ...(debug ? { debug } : {}),
    ...(stateFile ? { commit: () => stateFile?.commit() } : {}),
    ...(opts.limits ? { limits: opts.limits } : {}),
    ...(opts.adminToken !== undefined ? { adminToken: opts.adminToken } : {}),
    ...(opts.adminHosts ? { adminHosts: opts.adminHosts } : {}),
  });
  const host = opts.host ?? "127.0.0.1";
  if (!isLoopbackHost(host)) {
    (opts.warn ?? ((line: string) => process.stderr.write(`${line}\n`)))(
      `WARNING: the emulator listens on ${host}, not a loopback address: anyone who can reach it can use the demo credentials` +
        (opts.adminToken === undefined
          ? " and, with a Host header you allow, the unauthenticated admin API. Set an admin token (--admin-token)."
          : "; the admin API needs the admin token."),
    );
  }
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
    setFaults: (f) => server.setFaults(f),
    setPageSizes: (p) => server.setPageSizes(p),
    counts: () => server.countsObject(),
    resetCounts: () => server.resetCounts(),
    world: () => backend.world(),
    close: () => {
      closed ??= server.close().then(() => stateFile?.flush());
      return closed;
    },
  };
}
