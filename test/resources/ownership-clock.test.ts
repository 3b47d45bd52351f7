/**
 * Issue 10 item 7: a client clock 3 minutes ahead of the cloud (request signing tolerates 15). An
 * EVS create whose answer is lost is still matched, by its mark of ownership and never by the
 * caller's clock: one snapshot, in state, one POST.
 */
import { describe, expect, it } from "vitest";
import { checked, DEFAULT_IDS, evs, useEmulator } from "./helpers";

const SKEW_MS = 3 * 60_000;
// The cloud's clock runs 3 minutes behind this process's: the same as this client running ahead.
const env = useEmulator({ clock: { now: () => Date.now() - SKEW_MS } });

describe("7. a skewed client clock", () => {
  it("a dropped EVS create answer is adopted, never re-posted", async () => {
    env.emu.setFaults({ dropResponseAfterCommitRate: 1 });
    const inputs = await checked(evs(), {
      volumeId: DEFAULT_IDS.evsVolumeAvailableId,
      name: "skewed",
      owner: "proj/dev/huaweicloud:EvsSnapshot::skewed",
    });
    const { id, outs } = await evs().create(inputs);
    env.emu.setFaults({ dropResponseAfterCommitRate: 0 });
    expect(outs.status).toBe("available");
    expect(env.emu.counts()["evs.CreateSnapshot"]).toBe(1);
    expect(env.emu.world().evs.snapshots.map((s) => s.id)).toEqual([id]);
  });
});
