/** The one pager and the find layer: every page of a list, not-found as undefined (issue 10 item 11, issue 12). */
import { beforeEach, describe, expect, it } from "vitest";
import { createClient, resolveSettings } from "../../provider/client";
import { cbrApi } from "../../provider/services/cbr";
import { dwsApi } from "../../provider/services/dws";
import { evsApi } from "../../provider/services/evs";
import { allPages } from "../../provider/services/util";
import { DEFAULT_IDS, REGIONS, useEmulator } from "./helpers";

const env = useEmulator();
const client = () =>
  createClient(resolveSettings({ config: { get: (k: string) => env.config[k] }, env: {} }));
const MISSING = "00000000-0000-4000-8000-000000000000";

beforeEach(() => {
  env.emu.backend.reset();
  env.emu.resetCounts();
});

describe("list calls follow every page", () => {
  it("EVS: 2,050 snapshots of one disk are listed whole, in pages of the API's maximum (1,000)", async () => {
    const volumeId = DEFAULT_IDS.evsVolumeAvailableId;
    env.emu.backend.seed({
      evsSnapshots: Array.from({ length: 2_050 }, (_, i) => ({ volumeId, name: `bulk-${i}` })),
    });
    const all = await evsApi(client(), REGIONS.primary.name).listSnapshots({ volume_id: volumeId });
    expect(all).toHaveLength(2_050);
    expect(new Set(all.map((s) => s.id)).size).toBe(2_050);
    expect(env.emu.counts()["evs.ListSnapshots"]).toBe(3);
  });

  it("DWS: a cluster's 250 snapshots are listed whole (offset/limit)", async () => {
    const clusterId = DEFAULT_IDS.dwsClusterId;
    const before = (await dwsApi(client(), REGIONS.primary.name).listClusterSnapshots(clusterId)).length;
    env.emu.backend.seed({
      dwsSnapshots: Array.from({ length: 250 }, (_, i) => ({ clusterId, name: `bulk-${i}`, type: "MANUAL" })),
    });
    const all = await dwsApi(client(), REGIONS.primary.name).listClusterSnapshots(clusterId);
    expect(all).toHaveLength(before + 250);
    expect(all.every((s) => s.cluster_id === clusterId)).toBe(true);
  });

  it("the pager ends on the API's count, a 'next' flag, a short page or a repeated marker, and is bounded", async () => {
    const items = Array.from({ length: 7 }, (_, i) => ({ id: `i${i}` }));
    const calls: unknown[] = [];
    // An API that caps the page at 2 although 3 were asked: the count, not the short page, ends it.
    const capped = await allPages(
      async (req) => {
        calls.push(req);
        return { items: items.slice(req.offset, req.offset + 2), count: items.length };
      },
      { style: "offset", limit: 3, idOf: (x) => x.id },
    );
    expect(capped.map((x) => x.id)).toEqual(items.map((x) => x.id));
    expect(calls).toHaveLength(4);
    // Marker style: the next page starts after the last id seen.
    const byMarker = await allPages(
      async (req) => {
        const from = req.marker === undefined ? 0 : items.findIndex((x) => x.id === req.marker) + 1;
        return { items: items.slice(from, from + 3) };
      },
      { style: "marker", limit: 3, idOf: (x) => x.id },
    );
    expect(byMarker).toHaveLength(7);
    // An API that never ends is an error after the bound, not an endless loop.
    await expect(
      allPages(async (req) => ({ items: [{ id: `x${req.offset}` }], more: true }), {
        style: "offset",
        limit: 1,
        idOf: (x) => x.id,
        maxPages: 5,
      }),
    ).rejects.toThrow(/did not end within 5 pages/);
  });
});

describe("find returns undefined for not-found, and only for that", () => {
  it("DWS, EVS and CBR", async () => {
    const c = client();
    const region = REGIONS.primary.name;
    expect(await dwsApi(c, region).findSnapshot(MISSING)).toBeUndefined();
    expect(await evsApi(c, region).findSnapshot(MISSING)).toBeUndefined();
    expect(await cbrApi(c, region).findBackup(MISSING)).toBeUndefined();
    const auto = await dwsApi(c, region).findSnapshot(DEFAULT_IDS.dwsAutomatedSnapshotIds[0]);
    expect(auto?.id).toBe(DEFAULT_IDS.dwsAutomatedSnapshotIds[0]);
    // Any other failure is still an error (an unknown region has no endpoint or project).
    await expect(evsApi(c, "xx-nowhere-9").findSnapshot(MISSING)).rejects.toThrow();
  });
});
