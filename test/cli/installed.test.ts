/**
 * Installed as a user installs it: `npm pack`, then `npm install <tarball>` in a fresh project that
 * has nothing else (npm installs the @pulumi/pulumi peer dependency), `npm ls` shows one copy of
 * @pulumi/pulumi, and the real CLI deploys and destroys the example program from there.
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningEmulator } from "../../emulator/index";
import { cliEnvironment, runPulumi } from "../../scripts/pulumi-cli";
import { createdInWorld, startTestEmulator } from "../engine/example";
import { EXAMPLE_PROJECT, REPO_ROOT, TEST_ACCESS_KEY, TEST_SECRET_KEY, tempDir } from "../engine/helpers";
import { CLI, PASSPHRASE } from "./stack";

const PKG = "pulumi-huaweicloud-snapshots";

let emu: RunningEmulator;
let tmp: { dir: string; cleanup: () => void };
let projectDir: string;
let env: NodeJS.ProcessEnv;

function run(cmd: string, args: string[], cwd: string): Promise<string> {
  // npm_config_* from an enclosing `npm test` would steer the nested npm (prefix, scripts …).
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
  return new Promise((resolve, reject) =>
    execFile(cmd, args, { cwd, env: clean, timeout: 240_000, maxBuffer: 16 << 20 }, (err, stdout, stderr) =>
      err ? reject(new Error(`${cmd} ${args.join(" ")} failed: ${err.message}\n${stderr}`)) : resolve(stdout),
    ),
  );
}

async function pulumi(args: string[]): Promise<string> {
  const r = await runPulumi(CLI!, [...args, "--non-interactive"], { cwd: projectDir, env });
  if (r.code !== 0) throw new Error(`pulumi ${args.join(" ")} exited ${r.code}\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

describe.skipIf(!CLI)(
  "installed from the npm pack tarball, deployed with the real CLI",
  { timeout: 300_000 },
  () => {
    beforeAll(async () => {
      tmp = tempDir("cli-installed-");
      projectDir = path.join(tmp.dir, "stack");
      fs.mkdirSync(projectDir);
      // dist/ is built by `npm test` before vitest; --ignore-scripts keeps `prepare` from rebuilding it.
      const packed = JSON.parse(
        await run("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", tmp.dir], REPO_ROOT),
      ) as { filename: string }[];
      fs.writeFileSync(
        path.join(projectDir, "package.json"),
        JSON.stringify({ name: "user-stack", version: "0.0.0", private: true }),
      );
      fs.writeFileSync(
        path.join(projectDir, "Pulumi.yaml"),
        `name: ${EXAMPLE_PROJECT}\nruntime: nodejs\nmain: index.js\n`,
      );
      const example = fs.readFileSync(path.join(REPO_ROOT, "dist", "examples", "index.js"), "utf8");
      fs.writeFileSync(
        path.join(projectDir, "index.js"),
        example.replace('require("../emulator/defaults")', `require("${PKG}/emulator")`),
      );
      // Only the tarball: @pulumi/pulumi comes in as its peer dependency (from the npm cache).
      await run(
        "npm",
        ["install", "--prefer-offline", "--no-audit", "--no-fund", path.join(tmp.dir, packed[0]!.filename)],
        projectDir,
      );
      emu = await startTestEmulator();
      env = cliEnvironment({ cli: CLI!, stateDir: tmp.dir, passphrase: PASSPHRASE });
    }, 300_000);

    afterAll(async () => {
      await emu?.close();
      tmp?.cleanup();
    });

    it("npm ls finds exactly one @pulumi/pulumi, at the top level, satisfying the peer range", async () => {
      const tree = await run("npm", ["ls", "@pulumi/pulumi", "--all", "--parseable"], projectDir);
      const copies = tree
        .split("\n")
        .filter((l) => l.endsWith(`${path.sep}@pulumi${path.sep}pulumi`))
        .map((l) => path.relative(projectDir, l));
      expect(copies).toEqual([path.join("node_modules", "@pulumi", "pulumi")]);
      const installed = JSON.parse(
        fs.readFileSync(path.join(projectDir, "node_modules", "@pulumi", "pulumi", "package.json"), "utf8"),
      ) as { version: string };
      expect(installed.version).toMatch(/^3\.(2(4[89]|[5-9]\d)|[3-9]\d\d)\./);
      console.log(`user project: one @pulumi/pulumi ${installed.version} (${copies[0]})`);
    });

    it("pulumi up, refresh --expect-no-changes and destroy of the example from the installed package", async () => {
      await pulumi(["stack", "init", "user"]);
      await pulumi(["config", "set", "huaweicloud:region", "cn-north-4"]);
      await pulumi(["config", "set", "huaweicloud:endpoint", emu.url]);
      await pulumi(["config", "set", "huaweicloud:accessKey", TEST_ACCESS_KEY]);
      await pulumi(["config", "set", "--secret", "huaweicloud:secretKey", TEST_SECRET_KEY]);
      await pulumi(["up", "--yes", "--skip-preview"]);
      expect(createdInWorld(emu)).toHaveLength(4);
      const state = await pulumi(["stack", "export"]);
      expect(state).toContain(`require(\\"${PKG}/kinds/`);
      expect(state).not.toContain(REPO_ROOT);
      await pulumi(["refresh", "--yes", "--expect-no-changes"]);
      await pulumi(["destroy", "--yes", "--skip-preview"]);
      expect(createdInWorld(emu)).toEqual([]);
    });
  },
);
