/**
 * The four resources through the real Pulumi CLI and engine (local file backend, the emulator):
 * preview, up, no-change preview and refresh, program edits (update in place, replacements in the
 * right order), an out-of-band deletion, and a destroy that leaves nothing in the emulator.
 */
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { emulatorStackConfig, REGIONS, type RunningEmulator } from "../../emulator/index";
import { createClient, resolveSettings } from "../../provider/client";
import { evsApi } from "../../provider/services/evs";
import { createdInWorld, startTestEmulator } from "../engine/example";
import {
  CLI,
  CliStack,
  eventSteps,
  fourResources,
  previewSteps,
  type ResourceSpec,
  type StackWorld,
  seedStackWorld,
  writeCalls,
} from "./stack";

let emu: RunningEmulator;
let stack: CliStack;
let world: StackWorld;
let program: ResourceSpec[];

/** `pulumi up` of the current program; answers the engine's steps in the order they finished. */
async function up(label: string): Promise<Array<[string, string]>> {
  const log = path.join(stack.dir, `${label}.events.jsonl`);
  await stack.ok(["up", "--yes", "--skip-preview", "--event-log", log]);
  return eventSteps(log);
}

function edit(name: string, args: Record<string, unknown>): void {
  program = program.map((r) => (r.name === name ? { ...r, args: { ...r.args, ...args } } : r));
  stack.writeProgram(program);
}

async function expectNoChanges(): Promise<void> {
  await stack.ok(["preview", "--expect-no-changes"]);
}

describe.skipIf(!CLI)("the four resources through the real Pulumi CLI", () => {
  beforeAll(async () => {
    emu = await startTestEmulator();
    world = seedStackWorld(emu, "life");
    stack = await CliStack.create(CLI!, "life", emu);
    program = fourResources(world, "life");
    stack.writeProgram(program);
  }, 120_000);

  afterAll(async () => {
    // Whatever a failed test left: destroy it, so the temp dir holds no live stack.
    if (stack && (await stack.resources().catch(() => new Map())).size > 0) {
      await stack.run(["destroy", "--yes", "--skip-preview"]);
    }
    stack?.close();
    await emu?.close();
  }, 180_000);

  it("preview plans four creates and makes no write call to the cloud", async () => {
    emu.resetCounts();
    const r = await stack.ok(["preview", "--json"]);
    expect(previewSteps(r.stdout).sort()).toEqual(
      [
        ["create", "disk"],
        ["create", "keep"],
        ["create", "nightly"],
        ["create", "offsite"],
      ].sort(),
    );
    expect(writeCalls(emu)).toEqual({});
    expect(createdInWorld(emu)).toEqual([]);
  });

  it("up creates the four; then preview and refresh --expect-no-changes pass", async () => {
    const steps = await up("up");
    expect(steps.map(([op]) => op)).toEqual(["create", "create", "create", "create"]);
    const state = await stack.resources();
    expect([...state.keys()].sort()).toEqual(["disk", "keep", "nightly", "offsite"]);
    for (const r of state.values()) expect(r.outputs?.status).toMatch(/^(AVAILABLE|available|success)$/);
    // Three snapshots and the replica of the one backup exist in the emulator.
    expect(createdInWorld(emu)).toHaveLength(4);
    await expectNoChanges();
    await stack.ok(["refresh", "--yes", "--expect-no-changes"]);
    await expectNoChanges();
  });

  it("EVS rename: update in place, same id; then no changes", async () => {
    const before = (await stack.resources()).get("disk")!.id;
    edit("disk", { name: "disk-life-renamed", description: "renamed by the test" });
    expect(await up("evs-rename")).toEqual([["update", "disk"]]);
    const disk = (await stack.resources()).get("disk")!;
    expect(disk.id).toBe(before);
    expect(emu.world().evs.snapshots.find((s) => s.id === before)?.name).toBe("disk-life-renamed");
    await expectNoChanges();
  });

  it("DWS rename: replaced, new one created before the old is deleted (names differ); then no changes", async () => {
    const old = (await stack.resources()).get("nightly")!.id!;
    edit("nightly", { name: "nightly-life-2" });
    const steps = await up("dws-rename");
    expect(steps.filter(([, n]) => n === "nightly").map(([op]) => op)).toEqual([
      "create-replacement",
      "replace",
      "delete-replaced",
    ]);
    const now = (await stack.resources()).get("nightly")!;
    expect(now.id).not.toBe(old);
    const manual = emu.world().dws.snapshots.filter((s) => s.type === "MANUAL" && s.id === old);
    expect(manual).toEqual([]);
    await expectNoChanges();
  });

  it("DWS description change with the same name: the old snapshot is deleted first (names are unique)", async () => {
    const old = (await stack.resources()).get("nightly")!.id!;
    edit("nightly", { description: "same name, new description" });
    const steps = await up("dws-same-name");
    expect(steps.filter(([, n]) => n === "nightly").map(([op]) => op)).toEqual([
      "delete-replaced",
      "create-replacement",
      "replace",
    ]);
    expect((await stack.resources()).get("nightly")!.id).not.toBe(old);
    await expectNoChanges();
  });

  it("CbrReplication destination vault change: replaced (old replicas deleted first); then no changes", async () => {
    const oldReplicas = emu
      .world()
      .cbr.backups.filter((b) => b.vault_id === world.destinationVaultId)
      .map((b) => b.id);
    expect(oldReplicas).toHaveLength(1);
    edit("offsite", { destinationVaultId: world.otherDestinationVaultId });
    const steps = await up("cbr-change");
    expect(steps.filter(([, n]) => n === "offsite").map(([op]) => op)).toEqual([
      "delete-replaced",
      "create-replacement",
      "replace",
    ]);
    const backups = emu.world().cbr.backups;
    expect(backups.filter((b) => oldReplicas.includes(b.id))).toEqual([]);
    expect(backups.filter((b) => b.vault_id === world.otherDestinationVaultId)).toHaveLength(1);
    await expectNoChanges();
  });

  it("an EVS snapshot deleted outside Pulumi: refresh drops it from state, the next up creates it again", async () => {
    const gone = (await stack.resources()).get("disk")!.id!;
    const outside = createClient(
      resolveSettings({ config: { get: (k: string) => emulatorStackConfig(emu.url)[k] }, env: {} }),
    );
    await evsApi(outside, REGIONS.primary.name).deleteSnapshot(gone);
    await stack.ok(["refresh", "--yes"]);
    expect((await stack.resources()).has("disk")).toBe(false);
    expect(await up("recreate")).toEqual([["create", "disk"]]);
    const disk = (await stack.resources()).get("disk")!;
    expect(disk.id).not.toBe(gone);
    expect(emu.world().evs.snapshots.filter((s) => s.volume_id === world.volumeId)).toHaveLength(1);
    await expectNoChanges();
  });

  it("destroy removes everything it created: nothing left in state or in the emulator", async () => {
    await stack.ok(["destroy", "--yes", "--skip-preview"]);
    expect((await stack.resources()).size).toBe(0);
    expect(createdInWorld(emu)).toEqual([]);
  });
});
