/** Test setup: an emulator on an ephemeral loopback port, and the provider configured to use it. */
import { afterAll, beforeAll } from "vitest";
import {
  DEFAULT_IDS,
  emulatorStackConfig,
  FAST_TIMINGS,
  REGIONS,
  type RunningEmulator,
  type StartOptions,
  startEmulator,
} from "../../emulator";
import { configure, provider } from "../../provider/resources/impl";

export { DEFAULT_IDS, REGIONS };
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export interface Env {
  emu: RunningEmulator;
  config: Record<string, string>;
}

/** Starts one emulator for the test file and points the provider at it through stack config. */
export function useEmulator(opts: StartOptions = {}): Env {
  const env = {} as Env;
  beforeAll(async () => {
    env.emu = await startEmulator({ seed: 7, ...opts, timings: { ...FAST_TIMINGS, ...opts.timings } });
    env.config = emulatorStackConfig(env.emu.url);
    configure({ config: { get: (k: string) => env.config[k] } });
  });
  afterAll(async () => {
    await env.emu?.close();
  });
  return env;
}

export const evs = () => provider("EvsSnapshot");
export const dws = () => provider("DwsSnapshot");
export const dwsCopy = () => provider("DwsSnapshotCopy");
export const cbr = () => provider("CbrReplication");

/** Runs check like the host: returns the checked inputs, failing the test on check failures. */
export async function checked(p: ReturnType<typeof provider>, news: Record<string, unknown>) {
  const r = await p.check({}, news);
  if (r.failures.length) throw new Error(`check failed: ${JSON.stringify(r.failures)}`);
  return r.inputs;
}

/** A partial-failure error as the host sees it (id, properties, reasons). */
export async function createError(p: ReturnType<typeof provider>, inputs: Record<string, unknown>) {
  try {
    await p.create(inputs);
  } catch (err) {
    return err as Error & { id?: string; properties?: Record<string, unknown>; reasons?: string[] };
  }
  throw new Error("create succeeded but was expected to fail");
}
