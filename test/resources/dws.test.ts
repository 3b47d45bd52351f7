import { describe, expect, it } from "vitest";
import { checked, DEFAULT_IDS, dws, dwsCopy, useEmulator } from "./helpers";

const env = useEmulator();

describe("DwsSnapshot against the emulator", () => {
  it("creates, reads, diffs (everything replaces) and deletes", async () => {
    const inputs = await checked(dws(), {
      clusterId: DEFAULT_IDS.dwsClusterId,
      name: "nightly-dws",
      description: "nightly",
    });
    const { id, outs } = await dws().create(inputs);
    expect(outs).toMatchObject({
      status: "AVAILABLE",
      type: "MANUAL",
      progress: 100,
      clusterId: DEFAULT_IDS.dwsClusterId,
    });
    expect(typeof outs.startedAt).toBe("string");

    const read = await dws().read(id, outs);
    expect(await dws().diff(id, read.props, inputs)).toMatchObject({ changes: false });
    expect(await dws().diff(id, read.props, { ...inputs, description: "other" })).toMatchObject({
      changes: true,
      replaces: ["description"],
      deleteBeforeReplace: true, // same unique name
    });
    expect(await dws().diff(id, read.props, { ...inputs, name: "renamed-dws" })).toMatchObject({
      replaces: ["name"],
      deleteBeforeReplace: false,
    });

    await dws().delete(id, read.props);
    expect((await dws().read(id, read.props)).id).toBe("");
    await dws().delete(id, read.props); // already gone: success
  });

  it("two snapshots of one cluster at once both succeed (the busy cluster is waited out)", async () => {
    const a = await checked(dws(), { clusterId: DEFAULT_IDS.dwsClusterId, name: "parallel-a" });
    const b = await checked(dws(), { clusterId: DEFAULT_IDS.dwsClusterId, name: "parallel-b" });
    const [ra, rb] = await Promise.all([dws().create(a), dws().create(b)]);
    expect(ra.outs.status).toBe("AVAILABLE");
    expect(rb.outs.status).toBe("AVAILABLE");
    expect(env.emu.counts()["dws.CreateSnapshot"]).toBeGreaterThanOrEqual(3); // one was refused DWS.7023 first
    await Promise.all([dws().delete(ra.id, ra.outs), dws().delete(rb.id, rb.outs)]);
  });
});

describe("a name already taken", () => {
  it("is refused with the holder's id and how to adopt it (e.g. left by a killed run)", async () => {
    const first = await dws().create(
      await checked(dws(), { clusterId: DEFAULT_IDS.dwsClusterId, name: "taken-name" }),
    );
    const again = await checked(dws(), { clusterId: DEFAULT_IDS.dwsClusterId, name: "Taken-Name" });
    const err = (await dws()
      .create(again)
      .catch((e) => e)) as Error & { id?: string };
    expect(err.id).toBeUndefined();
    expect(err.message).toContain(`already exists (${first.id})`);
    expect(err.message).toContain(`existingId: "${first.id}"`);
    await dws().delete(first.id, first.outs);
  });
});

describe("DwsSnapshotCopy against the emulator", () => {
  it("copies an automated snapshot, waits until AVAILABLE, and deletes the copy", async () => {
    const inputs = await checked(dwsCopy(), {
      sourceSnapshotId: DEFAULT_IDS.dwsAutomatedSnapshotIds[0],
      name: "keep-automated",
    });
    const { id, outs } = await dwsCopy().create(inputs);
    expect(outs).toMatchObject({ status: "AVAILABLE", type: "MANUAL", name: "keep-automated" });
    expect(await dwsCopy().diff(id, outs, inputs)).toMatchObject({ changes: false });
    expect(
      await dwsCopy().diff(id, outs, { ...inputs, sourceSnapshotId: DEFAULT_IDS.dwsAutomatedSnapshotIds[1] }),
    ).toMatchObject({ replaces: ["sourceSnapshotId"], deleteBeforeReplace: true });
    await dwsCopy().delete(id, outs);
    expect((await dwsCopy().read(id, outs)).id).toBe("");
    // The automated source is untouched.
    expect(JSON.stringify(env.emu.world())).toContain(DEFAULT_IDS.dwsAutomatedSnapshotIds[0]);
  });

  it("refuses to copy a manual snapshot with the cloud's error, naming the resource", async () => {
    const src = await dws().create(
      await checked(dws(), { clusterId: DEFAULT_IDS.dwsClusterId, name: "manual-src" }),
    );
    const inputs = await checked(dwsCopy(), { sourceSnapshotId: src.id, name: "copy-of-manual" });
    const err = (await dwsCopy()
      .create(inputs)
      .catch((e) => e)) as Error & { id?: string };
    expect(err.id).toBeUndefined(); // nothing was created
    expect(err.message).toContain('DWS snapshot copy "copy-of-manual"');
    expect(err.message).toMatch(/code DWS\.\d+/);
    expect(err.message).toMatch(/request id \S+/);
    await dws().delete(src.id, src.outs);
  });
});
