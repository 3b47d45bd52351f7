/**
 * Persistence that survives a crash: the emulator runs as its own process (the built CLI, as users
 * run it), is SIGKILLed right after an acknowledged write, and the write is in the state file. A
 * corrupt or hand-edited state file is refused with its path, the place and the problem, and is
 * left exactly as it was.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_IDS, StateFileError, startEmulator } from "../../emulator/index";
import { StateFile } from "../../emulator/persistence";
import { call, P1 } from "./helpers";

const CLI = resolve(__dirname, "../../dist/emulator/cli.js");

interface Child {
  proc: ChildProcess;
  port: number;
}

/** Starts the built CLI on a free port; resolves once it prints its URL (bounded). */
function startCli(args: string[]): Promise<Child> {
  const proc = spawn(process.execPath, [CLI, "--port", "0", ...args], { stdio: ["ignore", "pipe", "pipe"] });
  return new Promise((resolvePort, reject) => {
    let out = "";
    let err = "";
    const timer = setTimeout(() => {
      proc.kill("SIGKILL");
      reject(new Error(`emulator did not start in 30 s: ${out} ${err}`));
    }, 30_000);
    proc.stdout!.on("data", (c) => {
      out += c.toString();
      const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolvePort({ proc, port: Number(m[1]) });
      }
    });
    proc.stderr!.on("data", (c) => {
      err += c.toString();
    });
    proc.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`emulator exited with ${code}: ${err}`));
    });
  });
}

function exited(proc: ChildProcess): Promise<void> {
  return new Promise((r) => {
    if (proc.exitCode !== null || proc.signalCode !== null) r();
    else proc.once("exit", () => r());
  });
}

describe("acknowledged writes survive SIGKILL", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "emu-kill-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("kill -9 right after each acknowledged create, delete and seed: every one is in the file", async () => {
    const statePath = join(dir, "world.json");
    const acknowledged: string[] = [];
    for (let round = 0; round < 4; round++) {
      const child = await startCli(["--state", statePath, "--evs-create-ms", "60000"]);
      try {
        // Everything acknowledged by earlier processes was loaded.
        const world = await call(child, { path: "/__emulator/world", unsigned: true });
        const present = JSON.stringify(world.json);
        for (const id of acknowledged) expect(present, `round ${round}`).toContain(id);

        let id: string;
        if (round === 2) {
          const seed = await call(child, {
            method: "POST",
            path: "/__emulator/seed",
            unsigned: true,
            body: { evsVolumes: [{ name: `seeded-${round}` }] },
          });
          expect(seed.status).toBe(200);
          id = seed.json.evsVolumes[0];
        } else {
          const c = await call(child, {
            method: "POST",
            path: `/v2/${P1}/cloudsnapshots`,
            body: { snapshot: { volume_id: DEFAULT_IDS.evsVolumeAvailableId, name: `killed-${round}` } },
          });
          expect(c.status).toBe(202);
          id = c.json.snapshot.id;
        }
        // The answer is in: kill at once, no chance to flush anything on the way out.
        child.proc.kill("SIGKILL");
        await exited(child.proc);
        acknowledged.push(id);
      } finally {
        child.proc.kill("SIGKILL");
        await exited(child.proc);
      }
      const saved = new StateFile(statePath, () => {
        throw new Error("not written here");
      }).load();
      expect(JSON.stringify(saved)).toContain(acknowledged[acknowledged.length - 1]);
    }
    // A deletion acknowledged just before the kill is kept too.
    const child = await startCli(["--state", statePath, "--dws-create-ms", "0"]);
    try {
      const created = await call(child, {
        method: "POST",
        path: `/v1.0/${P1}/snapshots`,
        body: { snapshot: { name: "kill-delete", cluster_id: DEFAULT_IDS.dwsClusterId } },
      });
      const snapId = created.json.snapshot.id;
      const del = await call(child, { method: "DELETE", path: `/v1.0/${P1}/snapshots/${snapId}` });
      expect(del.status).toBe(202);
      child.proc.kill("SIGKILL");
      await exited(child.proc);
      const saved = JSON.parse(readFileSync(statePath, "utf8"));
      const s = saved.dws.snapshots.find((x: { id: string }) => x.id === snapId);
      expect(s?.deleteStartedAt).toBeTypeOf("number");
    } finally {
      child.proc.kill("SIGKILL");
      await exited(child.proc);
    }
  });
});

describe("a corrupt or hand-edited state file is refused, never overwritten", () => {
  let dir: string;
  let good: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "emu-corrupt-"));
    const path = join(dir, "good.json");
    const emu = await startEmulator({ port: 0, statePath: path });
    await emu.close();
    good = readFileSync(path, "utf8");
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const cases: Array<[string, (w: any) => string, RegExp]> = [
    ["truncated JSON", () => good.slice(0, 200), /line 1 column \d+: not valid JSON/],
    ["empty file", () => "", /top level \(empty file\): not valid JSON/],
    ["not an object", () => "[]", /top level: /],
    [
      "a time edited into text",
      (w) => {
        w.dws.snapshots[1].startedAt = "yesterday";
        return JSON.stringify(w, null, 2);
      },
      /dws\.snapshots\[1\]\.startedAt: /,
    ],
    [
      "a field removed",
      (w) => {
        delete w.cbr.vaults[0].replicatedRegions;
        return JSON.stringify(w);
      },
      /cbr\.vaults\[0\]\.replicatedRegions: /,
    ],
    [
      "a misspelt field",
      (w) => {
        w.evs.volumes[0].sizeGB = 5;
        return JSON.stringify(w);
      },
      /evs\.volumes\[0\]: .*sizeGB/,
    ],
    [
      "a snapshot of a volume that is not there",
      (w) => {
        w.evs.snapshots.push({
          id: "s1",
          projectId: w.regions[0].projectId,
          volumeId: "no-such-volume",
          name: "",
          description: "",
          metadata: {},
          sizeGb: 1,
          availabilityZone: "a",
          createdAt: 1,
          updatedAt: 1,
          completesAt: 2,
        });
        return JSON.stringify(w);
      },
      /evs\.snapshots\[0\]\.volumeId: no-such-volume does not exist/,
    ],
    ["an unknown version", (w) => JSON.stringify({ ...w, version: 2 }), /version: /],
  ];

  for (const [name, edit, expected] of cases) {
    it(name, async () => {
      const path = join(dir, `${name.replace(/\W+/g, "-")}.json`);
      const text = edit(JSON.parse(good));
      writeFileSync(path, text);
      const err = await startEmulator({ port: 0, statePath: path }).then(
        async (emu) => {
          await emu.close();
          return undefined;
        },
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(StateFileError);
      const msg = (err as Error).message;
      expect(msg).toContain(path);
      expect(msg).toMatch(expected);
      expect(readFileSync(path, "utf8")).toBe(text);
    });
  }

  it("the CLI exits 1 with the file, the place and the problem, and leaves the file alone", async () => {
    const path = join(dir, "cli.json");
    const w = JSON.parse(good);
    w.cbr.backups[0].status = 42;
    const text = JSON.stringify(w);
    writeFileSync(path, text);
    const proc = spawn(process.execPath, [CLI, "--port", "0", "--state", path], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let err = "";
    proc.stderr!.on("data", (c) => {
      err += c.toString();
    });
    const timer = setTimeout(() => proc.kill("SIGKILL"), 30_000);
    await exited(proc);
    clearTimeout(timer);
    expect(proc.exitCode).toBe(1);
    expect(err).toContain(path);
    expect(err).toContain("cbr.backups[0].status");
    expect(readFileSync(path, "utf8")).toBe(text);
  });
});
