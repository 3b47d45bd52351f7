/**
 * Resource options and secrets as the real engine applies them: `retainOnDelete` keeps the snapshot
 * in the cloud after destroy, `protect` blocks the destroy, and the `--secret` config value never
 * reaches the state (exported or on disk) in any encoding; `__provider` stays small.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningEmulator } from "../../emulator/index";
import { createdInWorld, startTestEmulator } from "../engine/example";
import { TEST_ACCESS_KEY, TEST_SECRET_KEY } from "../engine/helpers";
import { CLI, CliStack, fourResources, type ResourceSpec, seedStackWorld } from "./stack";

let emu: RunningEmulator;
let stack: CliStack;
let program: ResourceSpec[];

/** Every file under `dir`, as text. */
function filesUnder(dir: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) {
      const file = path.join(entry.parentPath, entry.name);
      out.push([file, fs.readFileSync(file, "latin1")]);
    }
  }
  return out;
}

/** The forms in which a leaked secret could hide in state: raw, base64 (both alphabets), percent-encoded. */
function encodings(secret: string): string[] {
  const b64 = Buffer.from(secret).toString("base64");
  return [
    secret,
    b64.replace(/=+$/, ""),
    Buffer.from(secret).toString("base64url"),
    encodeURIComponent(secret),
    [...Buffer.from(secret)].map((b) => `%${b.toString(16).toUpperCase().padStart(2, "0")}`).join(""),
    JSON.stringify(secret).slice(1, -1),
  ];
}

describe.skipIf(!CLI)("resource options and secrets through the real Pulumi CLI", () => {
  beforeAll(async () => {
    emu = await startTestEmulator();
    const world = seedStackWorld(emu, "opts");
    stack = await CliStack.create(CLI!, "opts", emu);
    program = fourResources(world, "opts");
    stack.writeProgram(program);
    await stack.ok(["up", "--yes", "--skip-preview"]);
  }, 180_000);

  afterAll(async () => {
    if (stack) {
      // Unprotect whatever a failed test left protected, then destroy.
      stack.writeProgram(program.map((r) => ({ ...r, opts: {} })));
      await stack.run(["up", "--yes", "--skip-preview"]);
      await stack.run(["destroy", "--yes", "--skip-preview"]);
      stack.close();
    }
    await emu?.close();
  }, 180_000);

  it("the --secret key is in no form in the exported state or the backend's files; __provider < 2 KB", async () => {
    const { text, deployment } = await stack.exportState();
    const dynamic = (deployment.resources ?? []).filter((r) => r.type.startsWith("pulumi-nodejs:dynamic"));
    expect(dynamic).toHaveLength(4);
    const files = filesUnder(stack.dir);
    const places: Array<[string, string]> = [["stack export", text], ...files];
    const leaks = places.flatMap(([where, content]) =>
      encodings(TEST_SECRET_KEY)
        .filter((e) => content.includes(e))
        .map((e) => `${where}: ${e.slice(0, 6)}…`),
    );
    expect(leaks).toEqual([]);
    // The access key is config, not state: it is not in state either.
    expect(text).not.toContain(TEST_ACCESS_KEY);
    // The backend holds the stack's checkpoint (so the scan above did look at state on disk).
    expect(files.some(([f]) => f.includes(`${path.sep}backend${path.sep}`) && f.endsWith(".json"))).toBe(
      true,
    );
    for (const r of dynamic) {
      const provider = r.inputs?.__provider;
      expect(typeof provider).toBe("string");
      const bytes = Buffer.byteLength(String(provider));
      console.log(`__provider of ${r.type.split(":").pop()} in real state: ${bytes} bytes`);
      expect(bytes).toBeLessThan(2048);
    }
  });

  it("protect: destroy refuses and deletes nothing; the snapshot stays in state and in the cloud", async () => {
    program = program.map((r) => (r.name === "disk" ? { ...r, opts: { protect: true } } : r));
    stack.writeProgram(program);
    await stack.ok(["up", "--yes", "--skip-preview"]);
    const disk = (await stack.resources()).get("disk")!;
    expect(disk.protect).toBe(true);
    const before = createdInWorld(emu).sort();
    const r = await stack.run(["destroy", "--yes", "--skip-preview"]);
    expect(r.code).not.toBe(0);
    expect(`${r.stdout}${r.stderr}`).toMatch(/protected/);
    expect((await stack.resources()).has("disk")).toBe(true);
    expect(createdInWorld(emu).sort()).toEqual(before);
  });

  it("retainOnDelete: destroy removes it from state and keeps the snapshot in the cloud", async () => {
    program = program.map((r) => (r.name === "disk" ? { ...r, opts: { retainOnDelete: true } } : r));
    stack.writeProgram(program);
    await stack.ok(["up", "--yes", "--skip-preview"]);
    const disk = (await stack.resources()).get("disk")!;
    expect(disk.retainOnDelete).toBe(true);
    await stack.ok(["destroy", "--yes", "--skip-preview"]);
    expect((await stack.resources()).size).toBe(0);
    // Only the retained EVS snapshot is left: the other three were deleted.
    expect(createdInWorld(emu)).toEqual([disk.id]);
    expect(emu.world().evs.snapshots.find((s) => s.id === disk.id)?.status).toBe("available");
  });
});
