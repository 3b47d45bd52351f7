import { describe, expect, it } from "vitest";
import { checked, DEFAULT_IDS, evs, useEmulator } from "./helpers";

const env = useEmulator();

describe("EvsSnapshot against the emulator", () => {
  it("creates, reads, updates in place, diffs and deletes", async () => {
    const inputs = await checked(evs(), {
      volumeId: DEFAULT_IDS.evsVolumeAvailableId,
      name: "nightly",
      description: "first",
      metadata: { team: "db" },
    });
    const { id, outs } = await evs().create(inputs);
    expect(outs).toMatchObject({
      status: "available",
      name: "nightly",
      metadata: { team: "db" },
      progress: 100,
    });
    expect(outs.size).toBeGreaterThan(0);
    expect(Object.values(outs)).not.toContain(undefined);

    const read = await evs().read(id, outs);
    expect(read.id).toBe(id);
    expect(read.props).toMatchObject({ status: "available", description: "first" });

    // No spurious diff after a refresh.
    expect(await evs().diff(id, read.props, inputs)).toMatchObject({ changes: false, replaces: [] });

    const renamed = { ...inputs, name: "nightly-2", description: "" };
    const d = await evs().diff(id, read.props, renamed);
    expect(d).toMatchObject({ changes: true, replaces: [] });
    const { outs: updated } = await evs().update(id, read.props, renamed);
    expect(updated).toMatchObject({ name: "nightly-2", description: "" });

    expect(await evs().diff(id, updated, { ...renamed, metadata: { team: "ops" } })).toMatchObject({
      changes: true,
      replaces: ["metadata"],
    });

    await evs().delete(id, updated);
    expect((await evs().read(id, updated)).id).toBe("");
    // Deleting what is already gone succeeds.
    await evs().delete(id, updated);
    const left = env.emu.world();
    expect(JSON.stringify(left)).not.toContain(id);
  });

  it("metadata keys the cloud adds itself are shown, never read as a change", async () => {
    const inputs = await checked(evs(), {
      volumeId: DEFAULT_IDS.evsVolumeAvailableId,
      name: "with-metadata",
      metadata: { team: "db" },
    });
    const { id, outs } = await evs().create(inputs);
    // The cloud marks snapshots made during a server backup, for instance.
    env.emu.backend.evs.snapshots.get(id)!.metadata.policy = "added-by-the-cloud";
    const read = await evs().read(id, outs);
    expect(read.props).toMatchObject({
      metadata: { team: "db" },
      cloudMetadata: { team: "db", policy: "added-by-the-cloud" },
    });
    expect(await evs().diff(id, read.props, inputs)).toMatchObject({ changes: false, replaces: [] });
    await evs().delete(id, read.props);
  });
});
