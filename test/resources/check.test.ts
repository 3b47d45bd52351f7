/** Every input rule is enforced by check, before any API call, with a message naming the property. */
import { describe, expect, it } from "vitest";
import { provider } from "../../provider/resources/impl";

const UUID = "5aa119a8-d25b-45a7-8d1b-88e127885635";
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

const valid: Record<string, Record<string, unknown>> = {
  DwsSnapshot: { clusterId: UUID, name: "nightly", description: "ok" },
  DwsSnapshotCopy: { sourceSnapshotId: UUID, name: "keep-1" },
  EvsSnapshot: { volumeId: UUID, name: "nightly", metadata: { team: "db" } },
  CbrReplication: { sourceVaultId: UUID, destinationVaultId: UUID, destinationRegion: "ap-southeast-1" },
};

// [kind, property, bad value, words the reason must contain]
const rules: Array<[string, string, unknown, RegExp]> = [
  ["DwsSnapshot", "clusterId", "not-a-uuid", /UUID/],
  ["DwsSnapshot", "clusterId", undefined, /cluster id/],
  ["DwsSnapshot", "name", "abc", /4 to 64 characters/],
  ["DwsSnapshot", "name", "a".repeat(65), /4 to 64 characters/],
  ["DwsSnapshot", "name", "1abc", /start with a letter/],
  ["DwsSnapshot", "name", "abc def", /letters, digits/],
  ["DwsSnapshot", "description", "x".repeat(215), /214 characters/],
  ["DwsSnapshot", "description", `x [pulumi:${"0".repeat(32)}]`, /ownership mark/],
  ["DwsSnapshot", "description", "a=b", /!<>'=&"/],
  ["DwsSnapshot", "region", "Mars", /region name/],
  ["DwsSnapshot", "timeouts.create", "forever", /duration/],
  ["DwsSnapshot", "timeouts.create", "0s", /duration/],
  ["DwsSnapshot", "existingId", "nope", /UUID/],
  ["DwsSnapshot", "clusterID", UUID, /not an input of DwsSnapshot/],
  ["DwsSnapshotCopy", "sourceSnapshotId", "x", /UUID/],
  ["DwsSnapshotCopy", "name", "_abc", /start with a letter/],
  ["DwsSnapshotCopy", "description", "<b>", /!<>'=&"/],
  ["EvsSnapshot", "volumeId", 42, /volume id/],
  ["EvsSnapshot", "name", "autobk_snapshot_1", /autobk_snapshot_/],
  ["EvsSnapshot", "name", "n".repeat(65), /64 characters/],
  ["EvsSnapshot", "name", "", /empty/],
  ["EvsSnapshot", "description", "d".repeat(86), /85 characters/],
  ["EvsSnapshot", "metadata", { __system__x: "1" }, /__system__/],
  ["EvsSnapshot", "metadata", "team=db", /map of strings/],
  ["EvsSnapshot", "force", "yes", /true or false/],
  ["CbrReplication", "destinationRegion", "ap_southeast_1", /region name/],
  ["CbrReplication", "destinationProjectId", "abc", /32 hexadecimal/],
  ["CbrReplication", "destinationVaultId", "", /UUID/],
  ["CbrReplication", "adoptExisting", 1, /true or false/],
];

describe("check", () => {
  it.each(rules)(
    "%s.%s = %j is rejected, naming the property and the rule",
    async (kind, property, bad, words) => {
      const news: Record<string, unknown> = structuredClone(valid[kind]!);
      const path = property.split(".");
      if (path.length === 2) news[path[0]!] = { [path[1]!]: bad };
      else if (bad === undefined) delete news[property];
      else news[property] = bad;
      const { failures } = await provider(kind).check({}, news);
      const failure = failures.find((f) => f.property === property || f.property.startsWith(`${property}.`));
      expect(failure, JSON.stringify(failures)).toBeDefined();
      expect(failure!.reason).toContain(property);
      expect(failure!.reason).toMatch(words);
    },
  );

  it.each(Object.entries(valid))("%s: valid inputs pass and come back normalized", async (kind, news) => {
    const r = await provider(kind).check({}, { ...news, __provider: "text" });
    expect(r.failures).toEqual([]);
    expect(r.inputs).toMatchObject(news);
  });

  it("a replication must leave its source region", async () => {
    const { failures } = await provider("CbrReplication").check(
      {},
      { ...valid.CbrReplication, region: "ap-southeast-1" },
    );
    expect(failures).toEqual([expect.objectContaining({ property: "destinationRegion" })]);
  });

  it("rules about values preview does not know yet are not judged", async () => {
    const r = await provider("EvsSnapshot").check(
      {},
      { volumeId: UNKNOWN, name: UNKNOWN, metadata: { a: UNKNOWN } },
    );
    expect(r.failures).toEqual([]);
    // A known bad value is still reported beside unknown ones.
    const bad = await provider("EvsSnapshot").check({}, { volumeId: UNKNOWN, name: "autobk_snapshot_x" });
    expect(bad.failures.map((f) => f.property)).toEqual(["name"]);
  });

  it("check makes no API call: it works with no credentials and no endpoint at all", async () => {
    const r = await provider("DwsSnapshot").check({}, { clusterId: UUID, name: "x" });
    expect(r.failures.map((f) => f.property)).toEqual(["name"]);
  });
});
