/**
 * Resource options and secrets as the real engine applies them: `retainOnDelete` keeps the snapshot
 * in the cloud after destroy, `protect` blocks the destroy, and the `--secret` config value never
 * reaches the state (exported or on disk) in any encoding; `__provider` stays small.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningEmulator } from "../../emulator/index";
import { startTestEmulator } from "../engine/example";
import { TEST_ACCESS_KEY, TEST_SECRET_KEY } from "../engine/helpers";
import {
  auditFrom,
  CLI,
  CliStack,
  fourResources,
  type ResourceSpec,
  seedStackWorld,
  writeCalls,
} from "./stack";

let emu: RunningEmulator;
let createdInWorld: () => string[];
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

describe.skipIf(!CLI)(
  "resource options and secrets through the real Pulumi CLI",
  { timeout: 300_000 },
  () => {
    beforeAll(async () => {
      emu = await startTestEmulator();
      const world = seedStackWorld(emu, "opts");
      createdInWorld = auditFrom(emu);
      stack = await CliStack.create(CLI!, "opts", emu);
      program = fourResources(world, "opts");
      stack.writeProgram(program);
      await stack.ok(["up", "--yes", "--skip-preview"]);
    }, 180_000);

    afterAll(async () => {
      if (stack && (await stack.resources().catch(() => new Map())).size > 0) {
        // Whatever a failed test left (protected or not) is destroyed.
        await stack.run(["state", "unprotect", "--all", "--yes"]);
        await stack.run(["destroy", "--yes", "--skip-preview"]);
      }
      stack?.close();
      await emu?.close();
    }, 300_000);

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
      // The real engine records the stack config in the default provider's state entry (the
      // `pulumi-nodejs` provider receives all of it): the access key as set, the secret key only as
      // ciphertext. No dynamic resource carries either.
      const configHolders = (deployment.resources ?? []).filter((r) =>
        JSON.stringify(r).includes(TEST_ACCESS_KEY),
      );
      expect(configHolders.map((r) => r.type)).toEqual(["pulumi:providers:pulumi-nodejs"]);
      expect(JSON.stringify(configHolders[0]!.inputs?.["huaweicloud:secretKey"])).toContain("ciphertext");
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

    it("protect blocks the destroy of its resource; retainOnDelete drops its resource from state and keeps the snapshot", async () => {
      program = program.map((r) =>
        r.name === "disk"
          ? { ...r, opts: { protect: true } }
          : r.name === "nightly"
            ? { ...r, opts: { retainOnDelete: true } }
            : r,
      );
      stack.writeProgram(program);
      const before = await stack.resources();
      // Options only: the engine records them, the cloud sees no write.
      emu.resetCounts();
      await stack.ok(["up", "--yes", "--skip-preview"]);
      expect(writeCalls(emu)).toEqual({});
      const withOptions = await stack.resources();
      expect(withOptions.get("disk")!.protect).toBe(true);
      expect(withOptions.get("nightly")!.retainOnDelete).toBe(true);

      const r = await stack.run(["destroy", "--yes", "--skip-preview"]);
      expect(r.code).not.toBe(0);
      expect(`${r.stdout}${r.stderr}`).toMatch(/protected/);
      // The real engine deletes what it may and refuses only the protected one.
      expect([...(await stack.resources()).keys()]).toEqual(["disk"]);
      const disk = before.get("disk")!.id!;
      const nightly = before.get("nightly")!.id!;
      expect(createdInWorld().sort()).toEqual([disk, nightly].sort());

      // Unprotected (as a user does it), the destroy completes; the retained snapshot stays, available.
      await stack.ok(["state", "unprotect", before.get("disk")!.urn, "--yes"]);
      await stack.ok(["destroy", "--yes", "--skip-preview"]);
      expect((await stack.resources()).size).toBe(0);
      expect(createdInWorld()).toEqual([nightly]);
      expect(emu.world().dws.snapshots.find((s) => s.id === nightly)?.status).toBe("AVAILABLE");
    });
  },
);
