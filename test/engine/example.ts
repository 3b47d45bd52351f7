/**
 * Set-up for engine-level tests of the real resources: the emulator in-process (port 0, short
 * timings, recognisable credentials), the example program captured from dist/ with the real SDK,
 * and the stack config that points the provider at the emulator.
 */
import * as path from "node:path";
import { REGIONS } from "../../emulator/defaults";
import { type RunningEmulator, startEmulator } from "../../emulator/index";
import {
  type CapturedResource,
  capture,
  leftovers,
  type PropertyMap,
  type ProviderHost,
  secret,
  stackCreatableIds,
  startHost,
} from "../../scripts/engine";
import {
  EXAMPLE_PROJECT,
  envWithoutHuaweiSettings,
  REPO_ROOT,
  SHORT_TIMINGS,
  TEST_ACCESS_KEY,
  TEST_SECRET_KEY,
} from "./helpers";

export const STACK = "engine-test";
export const EXAMPLE_PROGRAM = path.join(REPO_ROOT, "dist", "examples", "index.js");

export async function startTestEmulator(): Promise<RunningEmulator> {
  const emu = await startEmulator({ port: 0, timings: SHORT_TIMINGS, seed: 1 });
  emu.backend.iam.accessKeys.set(TEST_ACCESS_KEY, { secretKey: TEST_SECRET_KEY });
  baselines.set(emu, stackCreatableIds(emu.world()));
  return emu;
}

/**
 * The emulator, the example stack's resources and a provider host started as the engine starts it,
 * configured with the stack config (the host has no Huawei settings in its environment).
 */
export async function startExampleHost(): Promise<{
  emu: RunningEmulator;
  resources: CapturedResource[];
  host: ProviderHost;
}> {
  const [emu, resources, host] = await Promise.all([
    startTestEmulator(),
    captureExample(),
    startHost({ projectDir: REPO_ROOT, project: EXAMPLE_PROJECT, baseEnv: envWithoutHuaweiSettings() }),
  ]);
  await host.configure(stackConfig(emu));
  return { emu, resources, host };
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

/** What the emulator held at start, per emulator (the baseline `createdInWorld` subtracts). */
const baselines = new WeakMap<RunningEmulator, string[]>();

/**
 * Ids of everything the tests created in the emulator and did not remove: manual DWS snapshots, EVS
 * snapshots and CBR backups that were not there at start.
 */
export function createdInWorld(emu: RunningEmulator): string[] {
  return leftovers(baselines.get(emu) ?? [], emu.world()).map((labelled) => labelled.split(":")[1]!);
}
