import { request } from "node:http";
import { BasicCredentials } from "@huaweicloud/huaweicloud-sdk-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  DEFAULT_IDS,
  DEMO_ACCESS_KEY,
  DEMO_SECRET_KEY,
  DEMO_TEMPORARY_CREDENTIALS,
  DEMO_USER,
} from "../../emulator/defaults";
import type { RunningEmulator } from "../../emulator/index";
import { UNSIGNED_PAYLOAD } from "../../provider/client/sign";
import { type CallResult, call, P1, withEmulator } from "./helpers";

const SIG_FAIL = "Incorrect IAM authentication information: verify aksk signature fail";

function expect401(r: CallResult, code = "APIGW.0301") {
  expect(r.status).toBe(401);
  expect(r.json.error_code).toBe(code);
  expect(typeof r.json.error_msg).toBe("string");
  expect(r.json.request_id).toBe(r.headers["x-request-id"]);
}

describe("gateway authentication", () => {
  let emu: RunningEmulator;
  const debugLines: string[] = [];
  beforeAll(async () => {
    emu = await withEmulator({ debug: (l) => debugLines.push(l) });
  });
  afterAll(() => emu.close());

  const snapPath = () => `/v1.0/${P1}/snapshots/${DEFAULT_IDS.dwsAutomatedSnapshotIds[0]}`;

  it("accepts a request signed with the client's own SignedHeaders", async () => {
    const r = await call(emu, { path: snapPath(), headers: { "X-Project-Id": P1, "User-Agent": "t" } });
    expect(r.status).toBe(200);
  });

  it("rejects one changed byte in path, query, header or body with APIGW.0301", async () => {
    const base = {
      method: "POST",
      path: `/v1.0/${P1}/snapshots`,
      query: [["a", "1"]] as Array<[string, string]>,
      body: { snapshot: { name: "tamper-1", cluster_id: DEFAULT_IDS.dwsClusterId2 } },
      headers: { "X-Project-Id": P1 },
    };
    const variants = [
      (t: any) => {
        t.path = t.path.replace("snapshots", "snapshotz");
      },
      (t: any) => {
        t.query[0][1] = "2";
      },
      (t: any) => {
        t.headers["X-Project-Id"] = `${P1.slice(0, -1)}0`;
      },
      (t: any) => {
        t.body = Buffer.from(t.body.toString().replace("tamper-1", "tamper-2"));
      },
    ];
    for (const tamper of variants) {
      const r = await call(emu, { ...base, tamper });
      // A changed path that no longer routes is a 404 before authentication, as on the gateway.
      if (r.status === 404) expect(r.json.error_code).toBe("APIGW.0101");
      else {
        expect401(r);
        expect(r.json.error_msg).toBe(SIG_FAIL);
      }
    }
    // Path change that still routes: another snapshot id.
    const other = await call(emu, {
      path: snapPath(),
      tamper: (t) => {
        t.path = t.path.replace(/0$/, "1");
      },
    });
    expect401(other);
    expect(debugLines.some((l) => l.includes("canonical request: GET|/v1.0/"))).toBe(true);
  });

  it("honours X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD", async () => {
    const r = await call(emu, {
      method: "POST",
      path: `/v2/${P1}/cloudsnapshots`,
      body: { snapshot: { volume_id: DEFAULT_IDS.evsVolumeAvailableId, name: "unsigned-payload" } },
      headers: { "X-Sdk-Content-Sha256": UNSIGNED_PAYLOAD },
    });
    expect(r.status).toBe(202);
  });

  it("requires x-sdk-date present and signed", async () => {
    const missing = await call(emu, {
      path: snapPath(),
      tamper: (t) => {
        delete t.headers["X-Sdk-Date"];
      },
    });
    expect401(missing);
    const auth = await call(emu, { path: snapPath() });
    expect(auth.status).toBe(200);
  });

  it("rejects unknown access keys, missing authorization and malformed authorization", async () => {
    const unknown = await call(emu, { path: snapPath(), accessKey: "NOSUCHKEY", secretKey: "x" });
    expect401(unknown);
    expect(unknown.json.error_msg).toContain("ak not exist");
    const none = await call(emu, { path: snapPath(), unsigned: true });
    expect401(none);
    const bad = await call(emu, {
      path: snapPath(),
      tamper: (t) => {
        t.headers.Authorization = "SDK-HMAC-SHA256 garbage";
      },
    });
    expect401(bad);
    const wrongSecret = await call(emu, { path: snapPath(), secretKey: `${DEMO_SECRET_KEY}x` });
    expect401(wrongSecret);
  });

  it("enforces a 15-minute clock skew with an APIGW.0303 'signature expired' answer", async () => {
    const ok = await call(emu, { path: snapPath(), date: new Date(Date.now() - 14 * 60_000) });
    expect(ok.status).toBe(200);
    const old = await call(emu, { path: snapPath(), date: new Date(Date.now() - 16 * 60_000) });
    expect401(old, "APIGW.0303");
    expect(old.json.error_msg).toContain("signature expired");
    const future = await call(emu, { path: snapPath(), date: new Date(Date.now() + 16 * 60_000) });
    expect401(future, "APIGW.0303");
  });

  it("accepts temporary credentials with their X-Security-Token, rejects expired or missing tokens", async () => {
    const [live, expired] = DEMO_TEMPORARY_CREDENTIALS;
    const ok = await call(emu, {
      path: snapPath(),
      accessKey: live.accessKey,
      secretKey: live.secretKey,
      headers: { "X-Security-Token": live.securityToken },
    });
    expect(ok.status).toBe(200);
    const noToken = await call(emu, {
      path: snapPath(),
      accessKey: live.accessKey,
      secretKey: live.secretKey,
    });
    expect401(noToken);
    const old = await call(emu, {
      path: snapPath(),
      accessKey: expired.accessKey,
      secretKey: expired.secretKey,
      headers: { "X-Security-Token": expired.securityToken },
    });
    expect401(old);
    expect(old.json.error_msg).toContain("expired");
  });

  it("issues IAM password tokens (201, X-Subject-Token) accepted as X-Auth-Token", async () => {
    const t = await call(emu, {
      method: "POST",
      path: "/v3/auth/tokens",
      unsigned: true,
      body: {
        auth: {
          identity: {
            methods: ["password"],
            password: {
              user: {
                name: DEMO_USER.name,
                password: DEMO_USER.password,
                domain: { name: DEMO_USER.domainName },
              },
            },
          },
          scope: { project: { name: "cn-north-4" } },
        },
      },
    });
    expect(t.status).toBe(201);
    const token = t.headers["x-subject-token"] as string;
    expect(token).toBeTruthy();
    expect(t.json.token.project.id).toBe(P1);
    expect(t.json.token.methods).toEqual(["password"]);
    expect(Date.parse(t.json.token.expires_at)).toBeGreaterThan(Date.now() + 23 * 3_600_000);
    const ok = await call(emu, { path: snapPath(), unsigned: true, headers: { "X-Auth-Token": token } });
    expect(ok.status).toBe(200);
    const bogus = await call(emu, {
      path: snapPath(),
      unsigned: true,
      headers: { "X-Auth-Token": "MIIbogus" },
    });
    expect401(bogus);
    const wrongPw = await call(emu, {
      method: "POST",
      path: "/v3/auth/tokens",
      unsigned: true,
      body: {
        auth: {
          identity: { methods: ["password"], password: { user: { name: DEMO_USER.name, password: "no" } } },
        },
      },
    });
    expect(wrongPw.status).toBe(401);
    expect(wrongPw.json.error_code).toBe("IAM.0021");
  });

  it("IAM answers an unknown region with an empty project list", async () => {
    const r = await call(emu, { path: "/v3/projects", query: [["name", "xx-nowhere-1"]] });
    expect(r.status).toBe(200);
    expect(r.json.projects).toEqual([]);
  });
});

/** Sends a request signed by Huawei's own Node SDK core (BasicCredentials + AKSKSigner). */
async function sdkSigned(
  emu: RunningEmulator,
  o: { method: string; url: string; query?: Record<string, string | string[]>; data?: unknown },
  tamper?: (r: { path: string; headers: Record<string, string>; body: string }) => void,
): Promise<{ status: number; json: any }> {
  const cred = new BasicCredentials().withAk(DEMO_ACCESS_KEY).withSk(DEMO_SECRET_KEY).withProjectId(P1);
  const httpRequest: any = {
    endpoint: emu.url,
    url: o.url,
    method: o.method,
    queryParams: o.query ?? {},
    headers: o.data === undefined ? {} : { "Content-Type": "application/json" },
    data: o.data,
  };
  const signed: any = await (cred as any).processAuthRequest(undefined, httpRequest);
  const u = new URL(signed.endpoint);
  const qs = Object.entries(o.query ?? {})
    .flatMap(([k, v]) =>
      (Array.isArray(v) ? v : [v]).map((x) => `${encodeURIComponent(k)}=${encodeURIComponent(x)}`),
    )
    .join("&");
  const r = {
    path: qs ? `${u.pathname}?${qs}` : u.pathname,
    headers: { ...signed.headers } as Record<string, string>,
    body: o.data === undefined ? "" : JSON.stringify(o.data),
  };
  tamper?.(r);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: "127.0.0.1", port: emu.port, method: o.method, path: r.path, headers: r.headers, agent: false },
      (res) => {
        let text = "";
        res.on("data", (c) => {
          text += c;
        });
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, json: text ? JSON.parse(text) : undefined }),
        );
      },
    );
    req.on("error", reject);
    req.end(r.body);
  });
}

describe("requests signed by @huaweicloud/huaweicloud-sdk-core", () => {
  let emu: RunningEmulator;
  beforeAll(async () => {
    emu = await withEmulator();
  });
  afterAll(() => emu.close());

  it("are accepted (GET with query, POST with JSON body)", async () => {
    const list = await sdkSigned(emu, {
      method: "GET",
      url: "/v2/{project_id}/cloudsnapshots/detail",
      query: { limit: "10", volume_id: DEFAULT_IDS.evsVolumeAvailableId, id: ["b", "a"] },
    });
    expect(list.status).toBe(200);
    const create = await sdkSigned(emu, {
      method: "POST",
      url: "/v1.0/{project_id}/snapshots",
      data: {
        snapshot: { name: "sdk-signed-1", cluster_id: DEFAULT_IDS.dwsClusterId2, description: "via SDK" },
      },
    });
    expect(create.status).toBe(200);
    expect(create.json.snapshot.id).toMatch(/-/);
  });

  it("one changed byte in path, query, header or body is rejected with APIGW.0301", async () => {
    const get = {
      method: "GET",
      url: `/v1.0/{project_id}/snapshots/${DEFAULT_IDS.dwsAutomatedSnapshotIds[0]}`,
      query: { x: "1" },
    };
    expect((await sdkSigned(emu, get)).status).toBe(200);
    const tampers: Array<(r: { path: string; headers: Record<string, string>; body: string }) => void> = [
      (r) => {
        r.path = r.path.replace("ba90", "ba91");
      },
      (r) => {
        r.path = r.path.replace("x=1", "x=2");
      },
      (r) => {
        r.headers["X-Project-Id"] = r.headers["X-Project-Id"]!.replace(/.$/, "0");
      },
    ];
    for (const t of tampers) {
      const res = await sdkSigned(emu, get, t);
      expect(res.status).toBe(401);
      expect(res.json.error_code).toBe("APIGW.0301");
    }
    const post = {
      method: "POST",
      url: "/v1.0/{project_id}/snapshots",
      data: { snapshot: { name: "sdk-signed-2", cluster_id: DEFAULT_IDS.dwsClusterId } },
    };
    const body = await sdkSigned(emu, post, (r) => {
      r.body = r.body.replace("sdk-signed-2", "sdk-signed-3");
    });
    expect(body.status).toBe(401);
    expect(body.json.error_code).toBe("APIGW.0301");
  });
});
