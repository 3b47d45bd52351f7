/**
 * The waiter over HTTP against the emulator's progress models (issue 14): whatever progress does,
 * a create completes without a tight polling loop. Counts calls, not time.
 */
import { describe, expect, it } from "vitest";
import type { ProgressModel } from "../../emulator/progress";
import { cbr, checked, DEFAULT_IDS, evs, REGIONS, useEmulator } from "./helpers";

const env = useEmulator({ timings: { evsSnapshotCreate: 4000, cbrReplication: 1500, jitter: 0 } });

/** API calls of one service since `before`. */
function callsSince(before: Record<string, number>, service: string): number {
  let n = 0;
  for (const [k, v] of Object.entries(env.emu.counts()))
    if (k.startsWith(`${service}.`)) n += v - (before[k] ?? 0);
  return n;
}

describe("progress that is not a straight line", () => {
  it.each<ProgressModel>(["early100", "zero", "none", "stall99", "jumps", "noisy"])(
    "EvsSnapshot, progress %s: completes, with at most 6 calls for a 4 s snapshot",
    async (model) => {
      env.emu.setProgress({ evsSnapshotCreate: model });
      try {
        const inputs = await checked(evs(), {
          volumeId: DEFAULT_IDS.evsVolumeAvailableId,
          name: `p-${model}`,
        });
        const before = env.emu.counts();
        const { id, outs } = await evs().create(inputs);
        expect(outs.status).toBe("available");
        // The POST and a few reads: 100% while pending or a stall must not become a loop.
        expect(callsSince(before, "evs")).toBeLessThanOrEqual(6);
        await evs().delete(id, outs);
      } finally {
        env.emu.setProgress({ evsSnapshotCreate: "linear" });
      }
    },
  );

  it("CbrReplication without record progress completes like any other (missing is not 0%)", async () => {
    env.emu.setProgress({ cbrReplication: "none" });
    try {
      const inputs = await checked(cbr(), {
        sourceVaultId: DEFAULT_IDS.cbrSourceVaultId,
        destinationVaultId: DEFAULT_IDS.cbrDestinationVaultId,
        destinationRegion: REGIONS.secondary.name,
      });
      const { id, outs } = await cbr().create(inputs);
      expect(outs.status).toBe("success");
      await cbr().delete(id, outs);
    } finally {
      env.emu.setProgress({ cbrReplication: "linear" });
    }
  });
});
