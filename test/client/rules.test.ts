/**
 * The one rule of each concept (provider/client/rules.ts), pinned, and judged the same by stack
 * config (resolveSettings) and by resource inputs (check): a value means the same wherever it is written.
 */
import { describe, expect, it } from "vitest";
import { HuaweiCloudError, resolveSettings } from "../../provider/client";
import { isProjectId, isRegionName, parseDuration } from "../../provider/client/rules";
import { provider } from "../../provider/resources/impl";

const PAIR = { HW_ACCESS_KEY: "AKTESTACCESSKEY0001", HW_SECRET_KEY: "secret" };
const UUID = "5aa119a8-d25b-45a7-8d1b-88e127885635";
const PROJECT = "0123456789abcdef0123456789ABCDEF";

const REGIONS_OK = [
  "cn-north-4",
  "ap-southeast-1",
  "eu-west-101",
  "my-kualalumpur-1",
  "ae-ad-1",
  "cn-southwest-2",
];
const REGIONS_BAD = [
  "cn-4",
  "cn-north",
  "Cn-north-4",
  "cn_north_4",
  "cn-north-4a",
  "c-north-4",
  "cn-north-4-",
  "",
];

/** Whether stack config accepts `value` for `key` (a HuaweiCloudError of kind "input" otherwise). */
function configAccepts(key: string, value: string, extra: Record<string, string> = {}): boolean {
  try {
    resolveSettings({ config: { get: (k) => (k === key ? value : extra[k]) }, env: PAIR });
    return true;
  } catch (err) {
    expect(err).toBeInstanceOf(HuaweiCloudError);
    expect((err as HuaweiCloudError).kind).toBe("input");
    return false;
  }
}

/** Whether check accepts `value` as the input `property` of a valid EvsSnapshot / CbrReplication. */
async function inputAccepts(kind: "EvsSnapshot" | "CbrReplication", property: string, value: unknown) {
  const base =
    kind === "EvsSnapshot"
      ? { volumeId: UUID, name: "nightly" }
      : {
          sourceVaultId: UUID,
          destinationVaultId: UUID,
          destinationRegion: "ap-southeast-1",
          region: "cn-north-4",
        };
  const news: Record<string, unknown> = { ...base };
  const [head, tail] = property.split(".");
  news[head!] = tail ? { [tail]: value } : value;
  const { failures } = await provider(kind).check({}, news);
  return failures.length === 0;
}

describe("region names", () => {
  it("are area-words-number, judged alike by stack config and inputs", async () => {
    for (const r of REGIONS_OK) {
      expect(isRegionName(r), r).toBe(true);
      expect(configAccepts("huaweicloud:region", r), r).toBe(true);
      expect(await inputAccepts("EvsSnapshot", "region", r), r).toBe(true);
    }
    for (const r of REGIONS_BAD) {
      expect(isRegionName(r), r).toBe(false);
      if (r) expect(configAccepts("huaweicloud:region", r), r).toBe(false);
      expect(await inputAccepts("EvsSnapshot", "region", r), r).toBe(false);
    }
  });
});

describe("project ids", () => {
  it("are 32 hexadecimal digits, as the hint says, in config and inputs alike", async () => {
    const bad = [
      "abc",
      "0123456789abcdef0123456789abcdeg",
      `${PROJECT}0`,
      "0123456789abcdef-0123456789abcdef",
    ];
    expect(isProjectId(PROJECT)).toBe(true);
    expect(configAccepts("huaweicloud:projectId", PROJECT, { "huaweicloud:region": "cn-north-4" })).toBe(
      true,
    );
    expect(await inputAccepts("CbrReplication", "destinationProjectId", PROJECT)).toBe(true);
    for (const id of bad) {
      expect(isProjectId(id), id).toBe(false);
      expect(configAccepts("huaweicloud:projectId", id, { "huaweicloud:region": "cn-north-4" }), id).toBe(
        false,
      );
      expect(await inputAccepts("CbrReplication", "destinationProjectId", id), id).toBe(false);
    }
    const err = (() => {
      try {
        resolveSettings({
          config: { get: (k) => (k === "huaweicloud:projectIds" ? '{"cn-north-4":"abc"}' : undefined) },
          env: PAIR,
        });
      } catch (e) {
        return e as HuaweiCloudError;
      }
    })();
    expect(err?.message).toMatch(/not a project id: "abc"/);
    expect(err?.hint).toMatch(/32 hexadecimal digits/);
  });
});

describe("durations", () => {
  it("one parser: Go-style units, or a whole number of milliseconds; above zero", () => {
    expect(parseDuration("45m")).toBe(2_700_000);
    expect(parseDuration("1h30m")).toBe(5_400_000);
    expect(parseDuration("1.5s")).toBe(1500);
    expect(parseDuration("500ms")).toBe(500);
    expect(parseDuration(" 90s ")).toBe(90_000);
    expect(parseDuration("30000")).toBe(30_000);
    for (const bad of ["", "m", "-1s", "1d", "0s", "0", "1 h", "1.5", "30 s", "1h 30m", "abc"]) {
      expect(parseDuration(bad), bad).toBeUndefined();
    }
  });

  it("mean the same as a resource timeout and as huaweicloud:requestTimeout", async () => {
    for (const d of ["45m", "1m30s", "30000", "1.5s"]) {
      expect(configAccepts("huaweicloud:requestTimeout", d), d).toBe(true);
      expect(await inputAccepts("EvsSnapshot", "timeouts.create", d), d).toBe(true);
    }
    for (const d of ["forever", "0s", "1d", "30 s"]) {
      expect(configAccepts("huaweicloud:requestTimeout", d), d).toBe(false);
      expect(await inputAccepts("EvsSnapshot", "timeouts.create", d), d).toBe(false);
    }
    // The same text, the same milliseconds.
    const s = resolveSettings({
      config: { get: (k) => (k === "huaweicloud:requestTimeout" ? "1m30s" : undefined) },
      env: PAIR,
    });
    expect(s.requestTimeoutMs).toBe(parseDuration("1m30s"));
    expect(s.requestTimeoutMs).toBe(90_000);
  });
});

describe("wrong types", () => {
  it('say "must be a string", a missing value "is required"', async () => {
    const wrong = await provider("EvsSnapshot").check({}, { volumeId: UUID, name: 42 });
    expect(wrong.failures).toEqual([
      { property: "name", reason: expect.stringMatching(/^EVS snapshot name: must be a string/) },
    ]);
    const missing = await provider("EvsSnapshot").check({}, { volumeId: UUID });
    expect(missing.failures).toEqual([
      { property: "name", reason: expect.stringMatching(/^EVS snapshot name: is required/) },
    ]);
    const dws = await provider("DwsSnapshot").check({}, { clusterId: 7, name: ["x"] });
    const reasons = dws.failures.map((f) => f.reason);
    expect(reasons).toContainEqual(
      expect.stringMatching(/clusterId: must be a string \(the DWS cluster id\)/),
    );
    expect(reasons).toContainEqual(expect.stringMatching(/name: must be a string/));
    expect(reasons.join("\n")).not.toMatch(/is required/);
  });
});
