import { describe, expect, it } from "vitest";
import { defaultEndpoint, endpointFor, HuaweiCloudError, resolveSettings } from "../../provider/client";

function config(values: Record<string, string>) {
  return { get: (key: string) => values[key] };
}

const PAIR = { HW_ACCESS_KEY: "AK-HW", HW_SECRET_KEY: "SK-HW" };

function inputError(fn: () => unknown): HuaweiCloudError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(HuaweiCloudError);
    expect((err as HuaweiCloudError).kind).toBe("input");
    return err as HuaweiCloudError;
  }
  throw new Error("expected an input error");
}

describe("resolveSettings: credentials", () => {
  it("stack config wins over the environment, taken as one pair with its token", () => {
    const s = resolveSettings({
      config: config({ "huaweicloud:accessKey": "AK-CFG", "huaweicloud:secretKey": "SK-CFG" }),
      env: { ...PAIR, HW_SECURITY_TOKEN: "TOKEN-HW" },
    });
    // The token of another source is not mixed in.
    expect(s.credentials).toEqual({ accessKey: "AK-CFG", secretKey: "SK-CFG" });
  });

  it("environment order: HW_* > HUAWEICLOUD_SDK_* > CLOUD_SDK_*", () => {
    const all = {
      ...PAIR,
      HW_SECURITY_TOKEN: "T-HW",
      HUAWEICLOUD_SDK_AK: "AK-SDK",
      HUAWEICLOUD_SDK_SK: "SK-SDK",
      HUAWEICLOUD_SDK_SECURITY_TOKEN: "T-SDK",
      CLOUD_SDK_AK: "AK-CLOUD",
      CLOUD_SDK_SK: "SK-CLOUD",
    };
    expect(resolveSettings({ env: all }).credentials).toEqual({
      accessKey: "AK-HW",
      secretKey: "SK-HW",
      securityToken: "T-HW",
    });
    const { HW_ACCESS_KEY, HW_SECRET_KEY, HW_SECURITY_TOKEN, ...sdk } = all;
    expect(resolveSettings({ env: sdk }).credentials).toEqual({
      accessKey: "AK-SDK",
      secretKey: "SK-SDK",
      securityToken: "T-SDK",
    });
    expect(
      resolveSettings({ env: { CLOUD_SDK_AK: "AK-CLOUD", CLOUD_SDK_SK: "SK-CLOUD" } }).credentials,
    ).toEqual({
      accessKey: "AK-CLOUD",
      secretKey: "SK-CLOUD",
    });
  });

  it("blank values count as unset", () => {
    const s = resolveSettings({
      config: config({ "huaweicloud:accessKey": "  ", "huaweicloud:secretKey": "" }),
      env: PAIR,
    });
    expect(s.credentials.accessKey).toBe("AK-HW");
  });

  it("no pair anywhere: one error listing every place looked, in order, without values", () => {
    const err = inputError(() => resolveSettings({ env: { HW_SECURITY_TOKEN: "SECRET-TOKEN-VALUE" } }));
    const places = [
      "stack config huaweicloud:accessKey + huaweicloud:secretKey",
      "environment HW_ACCESS_KEY + HW_SECRET_KEY",
      "environment HUAWEICLOUD_SDK_AK + HUAWEICLOUD_SDK_SK",
      "environment CLOUD_SDK_AK + CLOUD_SDK_SK",
    ];
    const at = places.map((p) => err.message.indexOf(p));
    expect(at.every((i) => i > 0)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    expect(err.message).toMatch(/No Huawei Cloud credentials/);
    expect(err.message).not.toContain("SECRET-TOKEN-VALUE");
  });

  it("a half-set pair is an error even when a later source has a full pair", () => {
    const err = inputError(() =>
      resolveSettings({ config: config({ "huaweicloud:accessKey": "AK-ONLY-VALUE" }), env: PAIR }),
    );
    expect(err.message).toContain("huaweicloud:accessKey is set but huaweicloud:secretKey is not");
    expect(err.message).toContain("environment CLOUD_SDK_AK + CLOUD_SDK_SK");
    expect(err.message).not.toContain("AK-ONLY-VALUE");
    const err2 = inputError(() => resolveSettings({ env: { HUAWEICLOUD_SDK_SK: "SK-ONLY" } }));
    expect(err2.message).toContain("HUAWEICLOUD_SDK_SK is set but HUAWEICLOUD_SDK_AK is not");
    expect(err2.message).not.toContain("SK-ONLY");
  });
});

describe("resolveSettings: region, project ids, numbers", () => {
  it("region: config > HW_REGION_NAME > HUAWEICLOUD_SDK_REGION, and validated", () => {
    const env = { ...PAIR, HW_REGION_NAME: "cn-east-3", HUAWEICLOUD_SDK_REGION: "ap-southeast-1" };
    expect(resolveSettings({ config: config({ "huaweicloud:region": "cn-north-4" }), env }).region).toBe(
      "cn-north-4",
    );
    expect(resolveSettings({ env }).region).toBe("cn-east-3");
    expect(resolveSettings({ env: { ...PAIR, HUAWEICLOUD_SDK_REGION: "ap-southeast-1" } }).region).toBe(
      "ap-southeast-1",
    );
    expect(resolveSettings({ env: PAIR }).region).toBeUndefined();
    const err = inputError(() => resolveSettings({ env: { ...PAIR, HW_REGION_NAME: "cn.evil.com/x" } }));
    expect(err.message).toContain("environment HW_REGION_NAME is not a Huawei Cloud region name");
  });

  it("project ids: the map, then the default region's id (config > HW_PROJECT_ID > SDK)", () => {
    const s = resolveSettings({
      config: config({
        "huaweicloud:region": "cn-north-4",
        "huaweicloud:projectIds":
          '{"cn-north-4":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa","cn-east-3":"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"}',
        "huaweicloud:projectId": "cccccccccccccccccccccccccccccccc",
      }),
      env: { ...PAIR, HW_PROJECT_ID: "dddddddddddddddddddddddddddddddd" },
    });
    expect(s.projectIds).toEqual({
      "cn-north-4": "cccccccccccccccccccccccccccccccc",
      "cn-east-3": "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
    });
    const fromEnv = resolveSettings({
      env: {
        ...PAIR,
        HW_REGION_NAME: "cn-north-4",
        HW_PROJECT_ID: "dddddddddddddddddddddddddddddddd",
        HUAWEICLOUD_SDK_PROJECT_ID: "eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee",
      },
    });
    expect(fromEnv.projectIds).toEqual({ "cn-north-4": "dddddddddddddddddddddddddddddddd" });
    inputError(() =>
      resolveSettings({ env: { ...PAIR, HW_PROJECT_ID: "dddddddddddddddddddddddddddddddd" } }),
    ); // no region
    inputError(() => resolveSettings({ config: config({ "huaweicloud:projectIds": "[1]" }), env: PAIR }));
    inputError(() =>
      resolveSettings({ config: config({ "huaweicloud:projectIds": "{not json" }), env: PAIR }),
    );
  });

  it("maxRetries and requestTimeout: defaults, config over env, durations, validation", () => {
    expect(resolveSettings({ env: PAIR })).toMatchObject({ maxRetries: 8, requestTimeoutMs: 30_000 });
    const s = resolveSettings({
      config: config({ "huaweicloud:maxRetries": "2", "huaweicloud:requestTimeout": "1.5s" }),
      env: { ...PAIR, HW_MAX_RETRIES: "5", HW_REQUEST_TIMEOUT: "2m" },
    });
    expect(s).toMatchObject({ maxRetries: 2, requestTimeoutMs: 1500 });
    expect(resolveSettings({ env: { ...PAIR, HW_REQUEST_TIMEOUT: "2m" } }).requestTimeoutMs).toBe(120_000);
    expect(resolveSettings({ env: { ...PAIR, HW_REQUEST_TIMEOUT: "250" } }).requestTimeoutMs).toBe(250);
    inputError(() => resolveSettings({ env: { ...PAIR, HW_MAX_RETRIES: "-1" } }));
    inputError(() => resolveSettings({ env: { ...PAIR, HW_MAX_RETRIES: "lots" } }));
    inputError(() => resolveSettings({ env: { ...PAIR, HW_REQUEST_TIMEOUT: "soon" } }));
    inputError(() => resolveSettings({ env: { ...PAIR, HW_REQUEST_TIMEOUT: "0" } }));
  });

  it("reads the environment when called, not when loaded", () => {
    const before = process.env.HW_ACCESS_KEY;
    try {
      process.env.HW_ACCESS_KEY = "AK-LIVE";
      process.env.HW_SECRET_KEY = "SK-LIVE";
      expect(resolveSettings().credentials.accessKey).toBe("AK-LIVE");
      process.env.HW_ACCESS_KEY = "AK-LIVE-2";
      expect(resolveSettings().credentials.accessKey).toBe("AK-LIVE-2");
    } finally {
      if (before === undefined) delete process.env.HW_ACCESS_KEY;
      else process.env.HW_ACCESS_KEY = before;
      delete process.env.HW_SECRET_KEY;
    }
  });
});

describe("endpoints", () => {
  it("defaults and the exceptions of the SDK region files", () => {
    expect(defaultEndpoint("dws", "cn-north-4")).toBe("https://dws.cn-north-4.myhuaweicloud.com");
    expect(defaultEndpoint("evs", "ap-southeast-1")).toBe("https://evs.ap-southeast-1.myhuaweicloud.com");
    expect(defaultEndpoint("cbr", "cn-east-3")).toBe("https://cbr.cn-east-3.myhuaweicloud.com");
    expect(defaultEndpoint("dws", "eu-west-101")).toBe("https://dws.eu-west-101.myhuaweicloud.eu");
    for (const r of ["cn-south-4", "cn-north-12", "cn-east-4", "tr-west-1", "ap-southeast-4"]) {
      expect(defaultEndpoint("dws", r)).toBe(`https://dws.${r}.myhuaweicloud.cn`);
    }
    expect(defaultEndpoint("evs", "eu-west-101")).toBe("https://evs.eu-west-101.myhuaweicloud.com");
    expect(defaultEndpoint("cbr", "eu-west-101")).toBe("https://cbr.eu-west-101.myhuaweicloud.com");
    expect(defaultEndpoint("iam", "eu-west-101")).toBe("https://iam.eu-west-101.myhuaweicloud.eu");
    expect(defaultEndpoint("iam", "cn-north-4")).toBe("https://iam.cn-north-4.myhuaweicloud.com");
    expect(defaultEndpoint("iam", "xx-unknown-9")).toBe("https://iam.myhuaweicloud.com");
  });

  it("overrides: per service > Go SDK per region > all > default, with {region}", () => {
    const s = resolveSettings({
      config: config({ "huaweicloud:endpoint": "http://127.0.0.1:8787/" }),
      env: {
        ...PAIR,
        HW_DWS_ENDPOINT: "https://dws-{region}.internal.example",
        HUAWEICLOUD_SDK_REGION_EVS_CN_EAST_3: "https://evs-east.example, https://evs-east-2.example",
        HUAWEICLOUD_SDK_IAM_ENDPOINT: "iam.private.example",
      },
    });
    expect(endpointFor(s, "dws", "cn-east-3")).toBe("https://dws-cn-east-3.internal.example");
    expect(endpointFor(s, "evs", "cn-east-3")).toBe("https://evs-east.example");
    expect(endpointFor(s, "evs", "cn-north-4")).toBe("http://127.0.0.1:8787");
    expect(endpointFor(s, "cbr", "cn-north-4")).toBe("http://127.0.0.1:8787");
    expect(endpointFor(s, "iam", "cn-north-4")).toBe("https://iam.private.example");
    expect(endpointFor(resolveSettings({ env: PAIR }), "cbr", "cn-north-4")).toBe(
      "https://cbr.cn-north-4.myhuaweicloud.com",
    );
  });

  it("stack config beats the environment for the same key; bad URLs are refused", () => {
    const s = resolveSettings({
      config: config({ "huaweicloud:cbrEndpoint": "https://cbr.cfg.example" }),
      env: { ...PAIR, HW_CBR_ENDPOINT: "https://cbr.env.example" },
    });
    expect(endpointFor(s, "cbr", "cn-north-4")).toBe("https://cbr.cfg.example");
    for (const bad of ["ftp://x.example", "https://x.example/?a=1", "http://", "https://u:p@x.example"]) {
      const err = inputError(() => resolveSettings({ env: { ...PAIR, HW_ENDPOINT: bad } }));
      expect(err.message).toContain("environment HW_ENDPOINT");
    }
  });
});
