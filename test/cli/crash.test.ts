/**
 * A `pulumi up` killed with SIGKILL while it waits for a create, and what a user does next (the
 * README's steps): the state holds pending creates, the snapshots exist in the cloud; `pulumi
 * refresh --import-pending-creates <urn> <id>` does not record them (pinned); `pulumi up` adopts the
 * snapshots and the CBR replica by their owner marks: nothing is orphaned or made twice. Also `pulumi import`, which does not work for dynamic resources: the
 * observed failure is pinned here, and `existingId` is the way to adopt.
 */
import type { ChildProcess } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { emulatorStackConfig, REGIONS, type RunningEmulator } from "../../emulator/index";
import { createClient, resolveSettings } from "../../provider/client";
import { evsApi } from "../../provider/services/evs";
import { killGroup } from "../../scripts/pulumi-cli";
import { startTestEmulator } from "../engine/example";
import { auditFrom, CLI, CliStack, type ResourceSpec, type StackWorld, seedStackWorld } from "./stack";

let emu: RunningEmulator;
let createdInWorld: () => string[];
let stack: CliStack;
let world: StackWorld;
let program: ResourceSpec[];

/** Long enough that `pulumi up` is surely still waiting when it is killed. */
const SLOW = { dwsSnapshotCreate: 20_000, evsSnapshotCreate: 20_000, cbrReplication: 20_000 };
const FAST = { dwsSnapshotCreate: 300, evsSnapshotCreate: 300, cbrReplication: 300 };

/** Polls `check` every 100 ms until it is true; fails after `ms`. */
async function until(what: string, check: () => boolean, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const dwsNamed = (name: string) =>
  emu.world().dws.snapshots.filter((s) => s.type === "MANUAL" && s.name === name);
const evsNamed = (name: string) => emu.world().evs.snapshots.filter((s) => s.name === name);
/** The replications of the stack's source vault (one backup: one per replicate request that took). */
const replications = () =>
  emu.world().cbr.replicationRecords.filter((r) => r.vault_id === world.sourceVaultId);

describe.skipIf(!CLI)("pulumi up killed mid-create, then refresh and up", { timeout: 300_000 }, () => {
  beforeAll(async () => {
    emu = await startTestEmulator();
    world = seedStackWorld(emu, "crash");
    createdInWorld = auditFrom(emu);
    stack = await CliStack.create(CLI!, "crash", emu);
    program = [
      { kind: "DwsSnapshot", name: "nightly", args: { clusterId: world.clusterId, name: "nightly-crash" } },
      { kind: "EvsSnapshot", name: "disk", args: { volumeId: world.volumeId, name: "disk-crash" } },
      {
        kind: "CbrReplication",
        name: "offsite",
        args: {
          sourceVaultId: world.sourceVaultId,
          destinationVaultId: world.destinationVaultId,
          destinationRegion: REGIONS.secondary.name,
        },
      },
    ];
    stack.writeProgram(program);
  }, 120_000);

  afterAll(async () => {
    emu?.setTimings(FAST);
    await stack?.destroyAndClose();
    await emu?.close();
  }, 180_000);
  it("SIGKILL while waiting: state holds three pending creates and no resource; the snapshots and the replication exist in the cloud", async () => {
    emu.setTimings(SLOW);
    let child: ChildProcess | undefined;
    const run = stack.run(["up", "--yes", "--skip-preview"], { onSpawn: (c) => (child = c) });
    await until(
      "the three creates to reach the cloud",
      () =>
        dwsNamed("nightly-crash").length === 1 &&
        evsNamed("disk-crash").length === 1 &&
        replications().length === 1,
    );
    killGroup(child!.pid);
    const killed = await run;
    expect(killed.signal).toBe("SIGKILL");
    const { deployment } = await stack.exportState();
    const dynamic = (deployment.resources ?? []).filter((r) => r.type.startsWith("pulumi-nodejs:dynamic"));
    expect(dynamic).toEqual([]);
    const pending = (deployment.pending_operations ?? []).map((op) => [
      op.type,
      op.resource.urn.split("::").pop(),
    ]);
    expect(pending.sort()).toEqual([
      ["creating", "disk"],
      ["creating", "nightly"],
      ["creating", "offsite"],
    ]);
    expect(dwsNamed("nightly-crash")[0]!.status).toBe("CREATING");
    expect(evsNamed("disk-crash")[0]!.status).toBe("creating");
    // The killed run still holds the stack's lock: every command refuses until `pulumi cancel`.
    const locked = await stack.run(["refresh", "--yes"]);
    expect(locked.code).not.toBe(0);
    expect(locked.stderr).toMatch(/currently locked/);
    await stack.ok(["cancel", "--yes"]);
  });

  it("refresh --import-pending-creates drops them unrecorded (pinned); up adopts the snapshots and the replica by their owner marks: nothing twice", async () => {
    emu.setTimings(FAST);
    const { deployment } = await stack.exportState();
    const urnOf = (name: string) =>
      deployment.pending_operations!.find((op) => op.resource.urn.endsWith(`::${name}`))!.resource.urn;
    const dwsId = dwsNamed("nightly-crash")[0]!.id;
    const evsId = evsNamed("disk-crash")[0]!.id;
    // What Pulumi's own message suggests. Observed with 3.248 and dynamic resources: it exits 0 and
    // the pending creates are gone, but neither resource is recorded in state.
    await stack.ok([
      "refresh",
      "--yes",
      "--import-pending-creates",
      urnOf("nightly"),
      "--import-pending-creates",
      dwsId,
      "--import-pending-creates",
      urnOf("disk"),
      "--import-pending-creates",
      evsId,
      "--import-pending-creates",
      urnOf("offsite"),
      "--import-pending-creates",
      `${world.sourceVaultId}:${REGIONS.secondary.name}`,
    ]);
    const after = await stack.exportState();
    expect(after.deployment.pending_operations ?? []).toEqual([]);
    expect((await stack.resources()).size).toBe(0);

    // The README's path: the snapshots carry their resource's owner mark (EVS metadata, DWS
    // description) and the replica its name, so `pulumi up` with the program unchanged finds them
    // instead of making new ones.
    const [replication] = replications();
    await stack.ok(["up", "--yes", "--skip-preview"]);
    await stack.ok(["preview", "--expect-no-changes"]);
    const final = await stack.resources();
    expect(final.get("nightly")?.id).toBe(dwsId);
    expect(final.get("disk")?.id).toBe(evsId);
    expect(final.get("nightly")?.outputs?.status).toBe("AVAILABLE");
    expect(final.get("disk")?.outputs?.status).toBe("available");
    expect(dwsNamed("nightly-crash")).toHaveLength(1);
    expect(evsNamed("disk-crash")).toHaveLength(1);
    const offsite = final.get("offsite")?.outputs;
    expect(offsite).toMatchObject({ status: "success", backups: 1, replicas: 1 });
    expect(replications().map((r) => r.id)).toEqual([replication!.id]); // replicated once, by the killed run
    const replicaId = replications()[0]!.destination_backup_id as string;
    expect(emu.world().cbr.backups.find((b) => b.id === replicaId)?.name).toBe(offsite?.replicaName);
    expect(createdInWorld().sort()).toEqual([dwsId, evsId, replicaId].sort());
  });

  it("pulumi import of each kind fails for dynamic resources (pinned); existingId adopts instead", async () => {
    const outside = createClient(
      resolveSettings({ config: { get: (k: string) => emulatorStackConfig(emu.url)[k] }, env: {} }),
    );
    const made = await evsApi(outside, REGIONS.primary.name).createSnapshot({
      volume_id: world.volumeId,
      name: "made-outside",
    });
    const before = createdInWorld().sort();
    for (const kind of ["DwsSnapshot", "DwsSnapshotCopy", "EvsSnapshot", "CbrReplication"]) {
      const r = await stack.run([
        "import",
        `pulumi-nodejs:dynamic/huaweicloud:${kind}`,
        `imported-${kind}`,
        made.id,
        "--yes",
      ]);
      expect(r.code, `${kind}: ${r.stdout}\n${r.stderr}`).not.toBe(0);
      // The engine's import reads with no state; the dynamic host finds no __provider to load.
      expect(`${r.stdout}${r.stderr}`).toMatch(
        /Preview failed: Cannot read properties of undefined \(reading 'toJavaScript'\)/,
      );
      console.log(
        `pulumi import ${kind}: ${`${r.stdout}\n${r.stderr}`
          .split("\n")
          .filter((l) => /error/i.test(l))
          .slice(0, 2)
          .join(" | ")}`,
      );
    }
    expect([...(await stack.resources()).keys()].sort()).toEqual(["disk", "nightly", "offsite"]);
    expect(createdInWorld().sort()).toEqual(before);

    stack.writeProgram([
      ...program,
      {
        kind: "EvsSnapshot",
        name: "adopted",
        args: { volumeId: world.volumeId, name: "made-outside", existingId: made.id },
      },
    ]);
    await stack.ok(["up", "--yes", "--skip-preview"]);
    expect((await stack.resources()).get("adopted")?.id).toBe(made.id);
    expect(createdInWorld().sort()).toEqual(before);
    await stack.ok(["destroy", "--yes", "--skip-preview"]);
    expect(createdInWorld()).toEqual([]);
  });
});
