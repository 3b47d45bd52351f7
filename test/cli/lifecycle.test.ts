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
import { startTestEmulator } from "../engine/example";
import {
  auditFrom,
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
let createdInWorld: () => string[];
let stack: CliStack;
let world: StackWorld;
let program: ResourceSpec[];

/** `pulumi up` of the current program; answers the engine's steps in the order they finished. */
async function up(label: string): Promise<Array<[string, string]>> {
  const log = path.join(stack.dir, `${label}.events.jsonl`);
  await stack.ok(["up", "--yes", "--skip-preview", "--event-log", log]);
  return eventSteps(log);
}

/** The changes to one resource, in the order the engine finished them. */
function opsOf(steps: Array<[string, string]>, name: string): string[] {
  return steps.filter(([, n]) => n === name).map(([op]) => op);
}

/** Whether the DWS snapshot's replacement was created before or after the old one was deleted. */
function nightlyOrder(steps: Array<[string, string]>): "create first" | "delete first" {
  const ops = opsOf(steps, "nightly");
  return ops.indexOf("create-replacement") < ops.indexOf("delete-replaced") ? "create first" : "delete first";
}

/** Replicas that exist now of the backups of `sourceVaultId` (from the source backups' replication records). */
function replicasOf(sourceVaultId: string): string[] {
  const backups = emu.world().cbr.backups;
  const existing = new Set(backups.map((b) => b.id));
  return backups
    .filter((b) => b.vault_id === sourceVaultId)
    .flatMap((b) =>
      b.replication_records.map((r: { destination_backup_id?: string }) => r.destination_backup_id),
    )
    .filter((id): id is string => typeof id === "string" && existing.has(id));
}

function edit(name: string, args: Record<string, unknown>): void {
  program = program.map((r) => (r.name === name ? { ...r, args: { ...r.args, ...args } } : r));
  stack.writeProgram(program);
}

async function expectNoChanges(): Promise<void> {
  await stack.ok(["preview", "--expect-no-changes"]);
}

describe.skipIf(!CLI)("the four resources through the real Pulumi CLI", { timeout: 300_000 }, () => {
  beforeAll(async () => {
    emu = await startTestEmulator();
    world = seedStackWorld(emu, "life");
    createdInWorld = auditFrom(emu);
    stack = await CliStack.create(CLI!, "life", emu);
    program = fourResources(world, "life");
    stack.writeProgram(program);
  }, 120_000);

  afterAll(async () => {
    await stack?.destroyAndClose();
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
    expect(createdInWorld()).toEqual([]);
  });

  it("up creates the four; then preview and refresh --expect-no-changes pass", async () => {
    const steps = await up("up");
    expect(steps.map(([op]) => op)).toEqual(["create", "create", "create", "create"]);
    const state = await stack.resources();
    expect([...state.keys()].sort()).toEqual(["disk", "keep", "nightly", "offsite"]);
    for (const r of state.values()) expect(r.outputs?.status).toMatch(/^(AVAILABLE|available|success)$/);
    // Three snapshots and the replica of the one backup exist in the emulator.
    expect(createdInWorld()).toHaveLength(4);
    await expectNoChanges();
    await stack.ok(["refresh", "--yes", "--expect-no-changes"]);
    await expectNoChanges();
  });

  it("edits: EVS rename updates in place (same id); DWS rename replaces, the new one created first; then no changes", async () => {
    const before = await stack.resources();
    edit("disk", { name: "disk-life-renamed", description: "renamed by the test" });
    edit("nightly", { name: "nightly-life-2" });
    const steps = await up("rename");
    expect(opsOf(steps, "disk")).toEqual(["update"]);
    // A new name is free, so Pulumi's default order: create the replacement, then delete the old one.
    const nightly = opsOf(steps, "nightly");
    expect(nightly.sort()).toEqual(["create-replacement", "delete-replaced", "replace"]);
    expect(nightlyOrder(steps)).toBe("create first");
    expect(opsOf(steps, "keep")).toEqual([]);
    expect(opsOf(steps, "offsite")).toEqual([]);
    const after = await stack.resources();
    expect(after.get("disk")!.id).toBe(before.get("disk")!.id);
    expect(emu.world().evs.snapshots.find((s) => s.id === before.get("disk")!.id)?.name).toBe(
      "disk-life-renamed",
    );
    expect(after.get("nightly")!.id).not.toBe(before.get("nightly")!.id);
    expect(emu.world().dws.snapshots.some((s) => s.id === before.get("nightly")!.id)).toBe(false);
    await expectNoChanges();
  });

  it("edits: DWS change keeping its name is replaced old-first (names are unique); CbrReplication destination vault change replaced old-first, the same backup replicated again; then no changes", async () => {
    const before = await stack.resources();
    const oldReplicas = replicasOf(world.sourceVaultId);
    expect(oldReplicas).toHaveLength(1);
    edit("nightly", { description: "same name, new description" });
    edit("offsite", { destinationVaultId: world.otherDestinationVaultId });
    const steps = await up("replace");
    expect(nightlyOrder(steps)).toBe("delete first");
    // A backup has one replica per region: the old one goes first, then the backup is replicated
    // again into the new vault (the vault-level call could never be made twice).
    const offsite = opsOf(steps, "offsite");
    expect(offsite.indexOf("delete-replaced")).toBeLessThan(offsite.indexOf("create-replacement"));
    const after = await stack.resources();
    expect(after.get("nightly")!.id).not.toBe(before.get("nightly")!.id);
    const now = replicasOf(world.sourceVaultId);
    expect(now).toHaveLength(1);
    expect(now[0]).not.toBe(oldReplicas[0]);
    expect(emu.world().cbr.backups.find((b) => b.id === now[0])?.vault_id).toBe(
      world.otherDestinationVaultId,
    );
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
    expect(createdInWorld()).toEqual([]);
  });
});
