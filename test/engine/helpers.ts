/** Shared set-up for the engine-level tests: scratch Pulumi project directories and leak checks. */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { allStrings, PROVIDER_KEY, type PropertyMap } from "../../scripts/engine";

export const REPO_ROOT = path.resolve(__dirname, "../..");
export const FIXTURES = path.join(__dirname, "fixtures");

/** A temp directory removed by the returned cleanup. */
export function tempDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/**
 * A scratch Pulumi project for the fixture provider: node_modules links `engine-fixture` and
 * `@pulumi` (so the host and the program resolve them from the project directory, as in a user's
 * project) and a copy of the fixture program.
 */
export function fixtureProject(dir: string): string {
  const nm = path.join(dir, "node_modules");
  fs.mkdirSync(nm, { recursive: true });
  fs.symlinkSync(path.join(FIXTURES, "engine-fixture"), path.join(nm, "engine-fixture"), "dir");
  fs.symlinkSync(path.join(REPO_ROOT, "node_modules", "@pulumi"), path.join(nm, "@pulumi"), "dir");
  fs.copyFileSync(path.join(FIXTURES, "program.js"), path.join(dir, "program.js"));
  return path.join(dir, "program.js");
}

/** Where any of `values` occurs in `text`/property maps: a list of "<where>: <value>" (empty = clean). */
export function findLeaks(values: string[], places: Record<string, unknown>): string[] {
  const leaks: string[] = [];
  for (const [where, v] of Object.entries(places)) {
    const strings = typeof v === "string" ? [v] : allStrings(v);
    for (const value of values) {
      if (strings.some((s) => s.includes(value))) leaks.push(`${where}: ${value.slice(0, 4)}…`);
    }
  }
  return leaks;
}

export function providerText(props: PropertyMap): string {
  const p = props[PROVIDER_KEY];
  if (typeof p !== "string") throw new Error(`no ${PROVIDER_KEY} string in properties`);
  return p;
}

/** Recognisable credentials registered in the test emulator, so a leak is easy to spot. */
export const TEST_ACCESS_KEY = "ENGINETESTACCESSKEY7Q2W";
export const TEST_SECRET_KEY = "engine-test-secret-key-3f9a1c0d7e";

/** Emulator timings short enough for a test, long enough that the provider polls at least once. */
export const SHORT_TIMINGS = {
  dwsSnapshotCreate: 300,
  dwsSnapshotCopy: 300,
  dwsSnapshotDelete: 100,
  evsSnapshotCreate: 300,
  evsSnapshotDelete: 100,
  cbrReplication: 300,
  cbrBackupDelete: 100,
  jitter: 0,
};

/** The Pulumi project name of the repository's Pulumi.yaml (the example stack). */
export const EXAMPLE_PROJECT = "huaweicloud-snapshots";

/** The environment without any Huawei Cloud settings, so a host only sees what a test gives it. */
export function envWithoutHuaweiSettings(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const k of Object.keys(env)) {
    if (/^(HW_|HUAWEICLOUD_|CLOUD_SDK_)/.test(k)) delete env[k];
  }
  return env;
}
