/**
 * Set-up for engine-level tests of the real resources: the emulator in-process (port 0, short
 * timings, recognisable credentials), the example program captured from dist/ with the real SDK,
 * and the stack config that points the provider at the emulator.
 */
import * as path from "node:path";
import { REGIONS } from "../../emulator/defaults";
import { type RunningEmulator, startEmulator } from "../../emulator/index";
import { type CapturedResource, capture, type PropertyMap, secret } from "../../scripts/engine";
import { EXAMPLE_PROJECT, REPO_ROOT, SHORT_TIMINGS, TEST_ACCESS_KEY, TEST_SECRET_KEY } from "./helpers";

export const STACK = "engine-test";
export const EXAMPLE_PROGRAM = path.join(REPO_ROOT, "dist", "examples", "index.js");

export async function startTestEmulator(): Promise<RunningEmulator> {
  const emu = await startEmulator({ port: 0, timings: SHORT_TIMINGS, seed: 1 });
  emu.backend.iam.accessKeys.set(TEST_ACCESS_KEY, { secretKey: TEST_SECRET_KEY });
  return emu;
}

/** Stack config as the engine passes it to Configure: credentials as secrets (`pulumi config set --secret`). */
export function stackConfig(emu: RunningEmulator): PropertyMap {
  return {
    "huaweicloud:region": REGIONS.primary.name,
    "huaweicloud:endpoint": emu.url,
    "huaweicloud:accessKey": TEST_ACCESS_KEY,
    "huaweicloud:secretKey": secret(TEST_SECRET_KEY),
  };
}

/** The same settings as a provider host's environment. */
export function hostEnvironment(emu: RunningEmulator): Record<string, string> {
  return {
    HW_REGION_NAME: REGIONS.primary.name,
    HW_ENDPOINT: emu.url,
    HW_ACCESS_KEY: TEST_ACCESS_KEY,
    HW_SECRET_KEY: TEST_SECRET_KEY,
  };
}

/** Captures the example stack (dist/examples/index.js) under setMocks, run from the repository root. */
export async function captureExample(
  program = EXAMPLE_PROGRAM,
  cwd = REPO_ROOT,
): Promise<CapturedResource[]> {
  const { resources } = await capture({ program, project: EXAMPLE_PROJECT, stack: STACK, cwd });
  return resources;
}

/** Ids of everything in the emulator that a stack can create: manual DWS snapshots, EVS snapshots, replicas. */
export function createdInWorld(emu: RunningEmulator): string[] {
  const w = emu.world() as any;
  const dws = (w.dws.snapshots as any[]).filter((s) => s.type === "MANUAL").map((s) => String(s.id));
  const evs = (w.evs.snapshots as any[]).map((s) => String(s.id));
  const replicas = (w.cbr.backups as any[])
    .filter((b) => b.region === REGIONS.secondary.name)
    .map((b) => String(b.id));
  return [...dws, ...evs, ...replicas];
}
