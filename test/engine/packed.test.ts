/**
 * The installed-package path: `npm pack` this package, install the tarball into a scratch Pulumi
 * project (its dependencies from the npm cache), run the example program there, and drive the
 * lifecycle through a provider host started in that project directory. This proves that the
 * serialized provider written by an installed package resolves and runs from a user's project.
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { RunningEmulator } from "../../emulator/index";
import {
  type CapturedResource,
  capture,
  Deployment,
  type PropertyMap,
  type ProviderHost,
  startHost,
} from "../../scripts/engine";
import { writeExampleProject } from "../../scripts/pulumi-cli";
import { createdInWorld, STACK, stackConfig, startTestEmulator } from "./example";
import {
  EXAMPLE_PROJECT,
  envWithoutHuaweiSettings,
  findLeaks,
  providerText,
  REPO_ROOT,
  TEST_ACCESS_KEY,
  TEST_SECRET_KEY,
  tempDir,
} from "./helpers";

const PKG = "pulumi-huaweicloud-snapshots";

let cleanup: () => void;
let projectDir: string;
let packedFiles: string[];
let emu: RunningEmulator;
let host: ProviderHost;
let resources: CapturedResource[];

function run(cmd: string, args: string[], cwd: string): Promise<string> {
  // npm_config_* from an enclosing `npm test` would steer the nested npm (prefix, scripts …).
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
  return new Promise((resolve, reject) =>
    execFile(cmd, args, { cwd, env, timeout: 180_000, maxBuffer: 16 << 20 }, (err, stdout, stderr) =>
      err ? reject(new Error(`${cmd} ${args.join(" ")} failed: ${err.message}\n${stderr}`)) : resolve(stdout),
    ),
  );
}

beforeAll(async () => {
  const tmp = tempDir("engine-packed-");
  cleanup = tmp.cleanup;
  projectDir = path.join(tmp.dir, "stack");
  fs.mkdirSync(projectDir);
  // dist/ is built by `npm test` before vitest; --ignore-scripts keeps `prepare` from rebuilding it.
  const packed = JSON.parse(
    await run("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", tmp.dir], REPO_ROOT),
  ) as { filename: string; files: { path: string }[] }[];
  packedFiles = packed[0]!.files.map((f) => f.path);
  const tarball = path.join(tmp.dir, packed[0]!.filename);

  writeExampleProject(projectDir, EXAMPLE_PROJECT);

  const [installed, e] = await Promise.all([
    run("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", tarball], projectDir),
    startTestEmulator(),
  ]);
  void installed;
  emu = e;
  const [captured, h] = await Promise.all([
    capture({ program: path.join(projectDir, "index.js"), project: EXAMPLE_PROJECT, stack: STACK }),
    startHost({ projectDir, project: EXAMPLE_PROJECT, baseEnv: envWithoutHuaweiSettings() }),
  ]);
  resources = captured.resources;
  host = h;
  await host.configure(stackConfig(emu));
}, 240_000);

afterAll(async () => {
  await host?.close();
  await emu?.close();
  cleanup?.();
});

it("packs compiled JavaScript, declarations, README and licence, and nothing from tests or emulator state", () => {
  expect(packedFiles).toEqual(
    expect.arrayContaining([
      "dist/provider/index.js",
      "dist/provider/index.d.ts",
      "dist/provider/resources/impl.js",
      "README.md",
      "LICENSE",
    ]),
  );
  const unwanted = packedFiles.filter((f) => /(^|\/)(test|tests|scripts)\/|\.emulator-state|\.ts$/.test(f));
  expect(unwanted.filter((f) => !f.endsWith(".d.ts"))).toEqual([]);
});

it("the scratch project runs the installed copy, not the repository", () => {
  // Resolve as a module of the project would (a `require` of this repository would find itself by name).
  const projectRequire = createRequire(path.join(projectDir, "index.js"));
  const root = fs.realpathSync(projectDir);
  for (const id of [`${PKG}/impl`, `${PKG}/kinds/EvsSnapshot`, "@pulumi/pulumi/cmd/dynamic-provider"]) {
    expect(fs.realpathSync(projectRequire.resolve(id)).startsWith(path.join(root, "node_modules"))).toBe(
      true,
    );
  }
});

it("serializes each provider as a require of the installed package, with no path of this machine", () => {
  expect(resources).toHaveLength(4);
  for (const r of resources) {
    const text = providerText(r.inputs);
    expect(text).toContain(`require("${PKG}/`);
    expect(text).not.toContain(REPO_ROOT);
    expect(text).not.toContain(projectDir);
    console.log(
      `__provider of ${r.type.split(":").pop()} (installed package): ${Buffer.byteLength(text)} bytes`,
    );
  }
});

it("deploys, updates in place, refreshes and destroys the example stack from the installed package", async () => {
  const d = new Deployment({ host, resources });
  const up = await d.up();
  expect(up.map((r) => [r.name, r.status, r.error])).toEqual(resources.map((r) => [r.name, "ok", undefined]));
  const outputs: PropertyMap[] = [...d.state.values()].map((s) => s.outputs);

  // Diff and Update of the EVS snapshot's name and description, as `pulumi up` after an edit.
  const disk = [...d.state.values()].find((s) => s.type.endsWith(":EvsSnapshot"))!;
  const edited = await host.check(disk.urn, disk.inputs, {
    ...disk.inputs,
    name: "disk-edited",
    description: "",
  });
  expect(await host.diff(disk.urn, disk.id, disk.outputs, edited.inputs, disk.inputs)).toMatchObject({
    changes: "some",
    replaces: [],
  });
  const updated = await host.update(disk.urn, disk.id, disk.outputs, edited.inputs, {
    oldInputs: disk.inputs,
  });
  expect(updated.outputs).toMatchObject({ name: "disk-edited", description: "" });
  d.state.set(disk.urn, { ...disk, inputs: edited.inputs, outputs: updated.outputs });
  outputs.push(updated.outputs);

  const refresh = await d.refresh();
  expect(refresh.map((r) => r.status)).toEqual(["ok", "ok", "ok", "ok"]);
  const states = [...d.state.values()];
  outputs.push(...states.map((s) => s.outputs));

  const destroy = await d.destroy();
  expect(destroy.map((r) => r.status)).toEqual(["ok", "ok", "ok", "ok"]);
  expect(createdInWorld(emu)).toEqual([]);
  for (const s of states) expect((await host.read(s.urn, s.id, s.outputs, s.inputs)).id).toBe("");

  const leaks = findLeaks([TEST_ACCESS_KEY, TEST_SECRET_KEY], {
    __provider: resources.map((r) => r.inputs.__provider),
    outputs,
    stderr: host.stderr,
    stdout: host.stdout,
  });
  expect(leaks).toEqual([]);
});
