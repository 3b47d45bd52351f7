/**
 * Settings from the provider host's environment instead of stack config: the host inherits
 * HW_ACCESS_KEY, HW_SECRET_KEY, HW_REGION_NAME and HW_ENDPOINT (as it would from the shell that runs
 * `pulumi up`), and Configure carries no huaweicloud:* keys. The whole example stack goes up,
 * refreshes and is destroyed through the deployment driver.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import type { RunningEmulator } from "../../emulator/index";
import {
  type CapturedResource,
  Deployment,
  type ProgressEvent,
  type ProviderHost,
  startHost,
} from "../../scripts/engine";
import { captureExample, createdInWorld, hostEnvironment, startTestEmulator } from "./example";
import {
  EXAMPLE_PROJECT,
  envWithoutHuaweiSettings,
  findLeaks,
  REPO_ROOT,
  TEST_ACCESS_KEY,
  TEST_SECRET_KEY,
} from "./helpers";

let emu: RunningEmulator;
let host: ProviderHost;
let resources: CapturedResource[];

beforeAll(async () => {
  const [e, r] = await Promise.all([startTestEmulator(), captureExample()]);
  emu = e;
  resources = r;
  host = await startHost({
    projectDir: REPO_ROOT,
    project: EXAMPLE_PROJECT,
    baseEnv: envWithoutHuaweiSettings(),
    env: hostEnvironment(emu),
  });
  // The engine always calls Configure; this stack's config has no huaweicloud:* keys.
  await host.configure({ [`${EXAMPLE_PROJECT}:nameSuffix`]: "" });
});

afterAll(async () => {
  await host?.close();
  await emu?.close();
});

it("deploys, refreshes and destroys the example stack with credentials from the environment", async () => {
  const events: ProgressEvent[] = [];
  const d = new Deployment({ host, resources, onProgress: (e) => events.push(e) });

  const up = await d.up();
  expect(up.map((r) => [r.name, r.status, r.error])).toEqual(resources.map((r) => [r.name, "ok", undefined]));
  expect(createdInWorld(emu).length).toBeGreaterThanOrEqual(4);
  const outputs = [...d.state.values()].map((s) => s.outputs);

  const refresh = await d.refresh();
  expect(refresh.every((r) => r.status === "ok")).toBe(true);

  const destroy = await d.destroy();
  expect(destroy.map((r) => r.status)).toEqual(["ok", "ok", "ok", "ok"]);
  expect(d.state.size).toBe(0);
  expect(createdInWorld(emu)).toEqual([]);

  // Progress: each resource went check → create → ok, read, delete.
  for (const r of resources) {
    const steps = events.filter((e) => e.urn === r.urn).map((e) => `${e.step}:${e.status}`);
    expect(steps).toEqual([
      "check:running",
      "create:running",
      "create:ok",
      "read:running",
      "read:ok",
      "delete:running",
      "delete:ok",
    ]);
  }

  const leaks = findLeaks([TEST_ACCESS_KEY, TEST_SECRET_KEY], {
    __provider: resources.map((r) => r.inputs.__provider),
    outputs,
    stderr: host.stderr,
    stdout: host.stdout,
  });
  expect(leaks).toEqual([]);
});

it("without credentials anywhere, Create fails with an error that names where they are looked for", async () => {
  const { HW_ACCESS_KEY: _ak, HW_SECRET_KEY: _sk, ...noCredentials } = hostEnvironment(emu);
  const bare = await startHost({
    projectDir: REPO_ROOT,
    project: EXAMPLE_PROJECT,
    baseEnv: envWithoutHuaweiSettings(),
    env: noCredentials,
  });
  try {
    await bare.configure({});
    const r = resources.find((x) => x.name === "disk")!;
    const checked = await bare.check(r.urn, {}, r.inputs);
    const err = await bare.create(r.urn, checked.inputs).catch((e: unknown) => e);
    expect(String(err)).toMatch(/HW_ACCESS_KEY/);
    expect((err as { initFailure?: unknown }).initFailure).toBeUndefined();
    expect(createdInWorld(emu)).toEqual([]);
  } finally {
    await bare.close();
  }
});
