/**
 * No credential value in any error message or debug log line, and the debug log says what a user
 * needs: method, path, status, duration, request id, retries, and the canonical request when the
 * gateway rejects a signature.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { createClient, HuaweiCloudError, redact, resolveSettings } from "../../provider/client";
import { json, startServer, testSettings } from "./server";

const AK = "AKSECRETPROBE0000001";
const SK = "SKsecretProbeValue0000000000000000000001";
const TOKEN = "TOKENsecretProbe-temporary-credential-0001";
const CREDS = { accessKey: AK, secretKey: SK, securityToken: TOKEN };

let lines: string[] = [];

beforeEach(() => {
  lines = [];
  vi.stubEnv("HUAWEICLOUD_SNAPSHOTS_DEBUG", "1");
  vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
    lines.push(...String(chunk).split("\n").filter(Boolean));
    return true;
  });
});

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

function expectNoSecret(text: string) {
  for (const secret of [AK, SK, TOKEN]) expect(text).not.toContain(secret);
}

function everythingSaid(err: unknown): string {
  const e = err as HuaweiCloudError;
  return [e.message, e.hint, e.cloudMessage, e.stack, JSON.stringify(e.fields?.() ?? {}, (_k, v) => v)].join(
    "\n",
  );
}

describe("secrets never appear", () => {
  it("in errors that echo credentials and in every debug line, across failure kinds", async () => {
    const server = await startServer((req, res) => {
      if (req.path.endsWith("/sig")) {
        return json(res, 401, {
          error_code: "APIGW.0301",
          error_msg: `Incorrect IAM authentication information: Get secretKey failed,ak:${AK},err:ak not exist`,
          request_id: "sig-1",
        });
      }
      if (req.path.endsWith("/boom"))
        return json(res, 500, { error_code: "X.1", error_msg: `token ${TOKEN}` });
      if (req.path.endsWith("/html")) return res.writeHead(502).end(`<html><body>sk=${SK}</body></html>`);
      if (req.path.endsWith("/shape")) return json(res, 200, { echo: AK });
      return res.socket?.destroy();
    });
    const client = createClient(testSettings(server.url, { credentials: CREDS, maxRetries: 1 }), {
      backoff: () => 1,
    });
    const call = (path: string, method: "GET" | "POST" = "GET", extra = {}) =>
      client
        .request({ service: "dws", operation: "Probe", region: "cn-north-4", method, path, ...extra })
        .then(
          () => {
            throw new Error("expected a failure");
          },
          (e: unknown) => e,
        );
    const errors = [
      await call("/v1.0/{project_id}/sig"),
      await call("/v1.0/{project_id}/boom", "POST", { body: { secret: "not a credential" } }),
      await call("/v1.0/{project_id}/html"),
      await call("/v1.0/{project_id}/shape", "GET", { response: () => z.object({ echo: z.number() }) }),
      await call("/v1.0/{project_id}/reset"),
    ];
    for (const err of errors) {
      expect(err).toBeInstanceOf(HuaweiCloudError);
      expectNoSecret(everythingSaid(err));
    }
    expect((errors[0] as HuaweiCloudError).cloudMessage).toContain("ak:***");
    expect(lines.length).toBeGreaterThan(5);
    for (const line of lines) expectNoSecret(line);

    // The canonical request is printed on a signature failure, gateway style, token masked.
    const canonical = lines.find((l) => l.includes("canonical="));
    expect(canonical).toMatch(/canonical=GET\|\/v1\.0\/[0-9a-f]+\/sig\/\|\|host:127\.0\.0\.1:\d+\|/);
    expect(canonical).toContain("x-security-token:***|");
  });

  it("in settings errors", () => {
    for (const env of [{ HW_ACCESS_KEY: AK }, { HW_SECRET_KEY: SK, HW_SECURITY_TOKEN: TOKEN }, {}]) {
      try {
        resolveSettings({ env });
        throw new Error("expected an error");
      } catch (err) {
        expect(err).toBeInstanceOf(HuaweiCloudError);
        expectNoSecret(everythingSaid(err));
      }
    }
  });

  it("redact masks every credential, the longest first", () => {
    expect(redact(`a ${AK} b ${SK} c ${TOKEN}${AK}`, CREDS)).toBe("a *** b *** c ******");
    expect(redact("nothing here", CREDS)).toBe("nothing here");
  });
});

describe("debug log", () => {
  it("has method, path, status, duration, request id and the retry decisions", async () => {
    const server = await startServer((_req, res, n) =>
      n === 1
        ? json(res, 429, { error_code: "APIGW.0308", error_msg: "slow down" }, { "x-request-id": "r-429" })
        : json(res, 200, {}, { "x-request-id": "r-ok" }),
    );
    await createClient(testSettings(server.url), { backoff: () => 1 }).request({
      service: "evs",
      operation: "ShowSnapshot",
      region: "cn-north-4",
      method: "GET",
      path: "/v2/{project_id}/cloudsnapshots/s-1",
    });
    expect(lines[0]).toMatch(
      /^\[huaweicloud\] GET \/v2\/\w+\/cloudsnapshots\/s-1 op=evs\.ShowSnapshot status=429 ms=\d+ request_id=r-429 code=APIGW\.0308 attempt=1$/,
    );
    expect(lines[1]).toMatch(
      /^\[huaweicloud\] retrying op=evs\.ShowSnapshot reason=throttled \(APIGW\.0308\) attempt=1 delay_ms=\d+$/,
    );
    expect(lines[2]).toMatch(/status=200 ms=\d+ request_id=r-ok attempt=2$/);
  });

  it("is silent unless switched on", async () => {
    vi.stubEnv("HUAWEICLOUD_SNAPSHOTS_DEBUG", "0");
    const server = await startServer((_req, res) => json(res, 200, {}));
    await createClient(testSettings(server.url)).request({
      service: "evs",
      operation: "ShowSnapshot",
      region: "cn-north-4",
      method: "GET",
      path: "/v2/x",
    });
    expect(lines).toEqual([]);
  });
});
