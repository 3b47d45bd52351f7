import type { ServerResponse } from "node:http";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { type ClientOptions, createClient, HuaweiCloudError, isNotFound } from "../../provider/client";
import { parseAuthorization, verifySignature } from "../../provider/client/sign";
import type { RequestSpec, Settings } from "../../provider/client/types";
import { json, PROJECT, startServer, testSettings } from "./server";

const FAST: ClientOptions = { backoff: () => 2 };

function client(url: string, overrides: Partial<Settings> = {}, options: ClientOptions = FAST) {
  return createClient(testSettings(url, overrides), options);
}

function spec(overrides: Partial<RequestSpec<unknown>> = {}): RequestSpec<unknown> {
  return {
    service: "evs",
    operation: "ShowSnapshot",
    region: "cn-north-4",
    method: "GET",
    path: "/v2/{project_id}/cloudsnapshots/s-1",
    resource: 'EVS snapshot "nightly"',
    ...overrides,
  };
}

async function failure(p: Promise<unknown>): Promise<HuaweiCloudError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(HuaweiCloudError);
    return err as HuaweiCloudError;
  }
  throw new Error("expected the call to fail");
}

const throttle = (res: ServerResponse, code = "APIGW.0308") =>
  json(res, 429, {
    error_code: code,
    error_msg: "The throttling threshold has been reached",
    request_id: "rid-429",
  });

describe("createClient: a plain call", () => {
  it("signs, fills the project id, sends JSON and validates the answer", async () => {
    const server = await startServer((_req, res) =>
      json(res, 200, { snapshot: { id: "s-1", extra: 1 } }, { "x-request-id": "req-1" }),
    );
    const res = await client(server.url).request({
      service: "dws",
      operation: "CreateSnapshot",
      region: "cn-north-4",
      method: "POST",
      path: "/v1.0/{project_id}/snapshots",
      query: { limit: 2, tag: ["b", "a"], skip: undefined },
      body: { snapshot: { name: "n" } },
      response: () => z.object({ snapshot: z.object({ id: z.string() }) }),
    });
    expect(res.body).toEqual({ snapshot: { id: "s-1" } });
    expect(res.requestId).toBe("req-1");
    const req = server.requests[0]!;
    expect(req.path).toBe(`/v1.0/${PROJECT}/snapshots`);
    expect(req.url).toBe(`/v1.0/${PROJECT}/snapshots?limit=2&tag=a&tag=b`);
    expect(req.headers["x-project-id"]).toBe(PROJECT);
    expect(req.headers["content-type"]).toBe("application/json;charset=UTF-8");
    expect(req.headers["user-agent"]).toMatch(/^pulumi-huaweicloud-snapshots\/\d+\.\d+\.\d+/);
    expect(req.body).toBe('{"snapshot":{"name":"n"}}');
    const auth = parseAuthorization(String(req.headers.authorization))!;
    const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
    const check = verifySignature(
      { method: req.method, path: req.path, query: [...req.query.entries()], headers, body: req.body },
      auth,
      "SKtestSecretKeyValue0001",
      headers["x-sdk-date"]!,
    );
    expect(check.ok).toBe(true);
    expect(auth.signedHeaders).toEqual(["content-type", "host", "x-project-id", "x-sdk-date"]);
  });

  it("sends the security token and signs non-JSON bodies as UNSIGNED-PAYLOAD", async () => {
    const server = await startServer((_req, res) => res.writeHead(204).end());
    const res = await client(server.url, {
      credentials: { accessKey: "AKTEMP000000000000001", secretKey: "SKtemp", securityToken: "TOKEN-abc" },
    }).request(spec({ method: "PUT", contentType: "text/plain", body: "raw text" }));
    expect(res.status).toBe(204);
    expect(res.body).toBeUndefined();
    const h = server.requests[0]!.headers;
    expect(h["x-security-token"]).toBe("TOKEN-abc");
    expect(h["x-sdk-content-sha256"]).toBe("UNSIGNED-PAYLOAD");
    expect(h["content-type"]).toBe("text/plain");
    expect(parseAuthorization(String(h.authorization))!.signedHeaders).toEqual([
      "content-type",
      "host",
      "x-project-id",
      "x-sdk-content-sha256",
      "x-sdk-date",
      "x-security-token",
    ]);
  });

  it("encodes path segments as it signs them, and keeps a base path of the endpoint", async () => {
    const server = await startServer((_req, res) => json(res, 200, {}));
    await client(`${server.url}/gateway`).request(spec({ path: "/v2/{project_id}/tags/a b/中" }));
    expect(server.requests[0]!.url).toBe(`/gateway/v2/${PROJECT}/tags/a%20b/%E4%B8%AD`);
  });
});

describe("retries", () => {
  it("retries a GET on 429 / APIGW.0308 and on 5xx, then succeeds; counts retries and throttles", async () => {
    const server = await startServer((_req, res, n) => {
      if (n === 1) return throttle(res);
      if (n === 2) return json(res, 200, { error_code: "APIG.0308", error_msg: "throttled" }, {}); // 200 is success
      return json(res, 200, { ok: true });
    });
    const c = client(server.url);
    await c.request(spec());
    expect(server.requests).toHaveLength(2);
    expect(c.stats).toMatchObject({ requests: 2, retries: 1, throttled: 1 });

    const flaky = await startServer((_req, res, n) =>
      n < 3 ? json(res, 503, { error_code: "EVS.0001", error_msg: "busy" }) : json(res, 200, {}),
    );
    const c2 = client(flaky.url);
    await c2.request(spec());
    expect(flaky.requests).toHaveLength(3);
    expect(c2.stats).toMatchObject({ requests: 3, retries: 2, throttled: 0, outcomeUnknown: 0 });
  });

  it("retries a POST on 429 (the gateway did not process it)", async () => {
    const server = await startServer((_req, res, n) =>
      n <= 2 ? throttle(res, "APIG.0308") : json(res, 200, {}),
    );
    const c = client(server.url);
    await c.request(spec({ method: "POST", operation: "CreateSnapshot", body: {} }));
    expect(server.requests).toHaveLength(3);
    expect(c.stats.throttled).toBe(2);
  });

  it("gives up after maxRetries with a hint to lower parallelism", async () => {
    const server = await startServer((_req, res) => throttle(res));
    const err = await failure(client(server.url, { maxRetries: 2 }).request(spec()));
    expect(server.requests).toHaveLength(3);
    expect(err).toMatchObject({ kind: "api", status: 429, code: "APIGW.0308", requestId: "rid-429" });
    expect(err.message).toContain("throttled after 2 retries");
    expect(err.hint).toMatch(/parallel/);
  });

  it("never repeats a POST after a 5xx: outcomeUnknown", async () => {
    const server = await startServer((_req, res) =>
      json(res, 500, { error_code: "DWS.0001", error_msg: "internal" }, { "x-request-id": "rid-500" }),
    );
    const c = client(server.url);
    const err = await failure(
      c.request(spec({ service: "dws", method: "POST", operation: "CreateSnapshot" })),
    );
    expect(server.requests).toHaveLength(1);
    expect(err).toMatchObject({ outcomeUnknown: true, status: 500, code: "DWS.0001", requestId: "rid-500" });
    expect(err.message).toMatch(/may or may not have been carried out/);
    expect(c.stats.outcomeUnknown).toBe(1);
  });

  it("never repeats a POST after a connection reset: outcomeUnknown", async () => {
    const server = await startServer((_req, res) => {
      res.socket?.destroy();
    });
    const err = await failure(
      client(server.url).request(spec({ method: "POST", operation: "CreateSnapshot" })),
    );
    expect(server.requests).toHaveLength(1);
    expect(err).toMatchObject({ kind: "network", outcomeUnknown: true });
  });

  it("never repeats a POST after a timeout: outcomeUnknown", async () => {
    const server = await startServer(() => undefined); // never answers
    const err = await failure(
      client(server.url, { requestTimeoutMs: 150 }).request(
        spec({ method: "POST", operation: "CreateSnapshot" }),
      ),
    );
    expect(server.requests).toHaveLength(1);
    expect(err).toMatchObject({ kind: "network", outcomeUnknown: true });
  });

  it("a slow GET hits the per-request timeout, is retried, and fails with a timeout hint", async () => {
    const server = await startServer(() => undefined);
    const err = await failure(client(server.url, { requestTimeoutMs: 100, maxRetries: 1 }).request(spec()));
    expect(server.requests).toHaveLength(2);
    expect(err).toMatchObject({ kind: "network", outcomeUnknown: false });
    expect(err.message).toContain("no answer within 100 ms");
    expect(err.hint).toMatch(/requestTimeout/);
  });

  it("retries a GET after a connection reset", async () => {
    const server = await startServer((_req, res, n) =>
      n === 1 ? void res.socket?.destroy() : json(res, 200, {}),
    );
    await client(server.url).request(spec());
    expect(server.requests).toHaveLength(2);
  });

  it("spec.idempotent lets a POST be retried, and makes a DELETE unsafe", async () => {
    const server = await startServer((_req, res, n) => (n === 1 ? json(res, 502, {}) : json(res, 200, {})));
    await client(server.url).request(spec({ method: "POST", idempotent: true }));
    expect(server.requests).toHaveLength(2);
    const s2 = await startServer((_req, res) => json(res, 502, {}));
    const err = await failure(client(s2.url).request(spec({ method: "DELETE", idempotent: false })));
    expect(s2.requests).toHaveLength(1);
    expect(err.outcomeUnknown).toBe(true);
  });

  it("retries a POST when the connection was refused (nothing was sent)", async () => {
    const server = await startServer(() => undefined);
    const url = server.url;
    await server.close();
    const c = client(url, { maxRetries: 2 });
    const err = await failure(c.request(spec({ method: "POST", operation: "CreateSnapshot" })));
    expect(c.stats.retries).toBe(2);
    expect(err).toMatchObject({ kind: "network", outcomeUnknown: false, code: "ECONNREFUSED" });
    expect(err.hint).toMatch(/endpoint/);
  });

  it("does not retry a 4xx", async () => {
    const server = await startServer((_req, res) =>
      json(res, 400, { error: { code: "EVS.2024", message: "bad" } }),
    );
    const err = await failure(client(server.url).request(spec()));
    expect(server.requests).toHaveLength(1);
    expect(err).toMatchObject({ kind: "api", status: 400, code: "EVS.2024", cloudMessage: "bad" });
  });

  it("an aborted call stops at once and is not retried", async () => {
    const server = await startServer(() => undefined);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const err = await failure(client(server.url).request(spec({ signal: controller.signal })));
    expect(server.requests).toHaveLength(1);
    expect(err.message).toContain("aborted");
  });
});

describe("aborting", () => {
  it("an abort during the backoff ends the call with a HuaweiCloudError", async () => {
    const server = await startServer((_req, res) => json(res, 503, {}));
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const slowBackoff = createClient(testSettings(server.url), { backoff: () => 60_000 });
    const err = await failure(slowBackoff.request(spec({ signal: controller.signal })));
    expect(server.requests).toHaveLength(1);
    expect(err).toMatchObject({ kind: "network", operation: "ShowSnapshot" });
    expect(err.message).toContain("aborted");
  });
});

describe("errors: every shape, code and request id", () => {
  const cases: [
    string,
    number,
    unknown,
    Record<string, string>,
    { code?: string; message: string; rid: string },
  ][] = [
    [
      "DWS error_code/error_msg",
      404,
      { error_code: "DWS.5149", error_msg: "snapshot not found" },
      { "x-request-id": "r1" },
      { code: "DWS.5149", message: "snapshot not found", rid: "r1" },
    ],
    [
      "DWS errCode/externalMessage",
      409,
      { errCode: "DWS.7023", externalMessage: "Cluster status is not allowed to operation." },
      { "x-request-id": "r2" },
      { code: "DWS.7023", message: "Cluster status is not allowed to operation.", rid: "r2" },
    ],
    [
      "EVS error:{code,message}",
      404,
      { error: { code: "EVS.5404", message: "no such snapshot" } },
      { "x-openstack-request-id": "req-os" },
      { code: "EVS.5404", message: "no such snapshot", rid: "req-os" },
    ],
    [
      "OpenStack itemNotFound wrapper",
      404,
      { itemNotFound: { code: 404, message: "Snapshot could not be found" } },
      { "x-compute-request-id": "req-c" },
      { code: "404", message: "Snapshot could not be found", rid: "req-c" },
    ],
    [
      "badRequest wrapper",
      400,
      { badRequest: { code: "EVS.2001", message: "Invalid input" } },
      { "x-request-id": "r5" },
      { code: "EVS.2001", message: "Invalid input", rid: "r5" },
    ],
    [
      "gateway with request_id in the body",
      401,
      { error_code: "APIGW.0301", error_msg: "Incorrect IAM authentication information", request_id: "gw-1" },
      {},
      { code: "APIGW.0301", message: "Incorrect IAM authentication information", rid: "gw-1" },
    ],
    [
      "IAM with X-IAM-Trace-Id",
      403,
      { error_msg: "You are not authorized", error_code: "IAM.0002" },
      { "x-iam-trace-id": "trace-9" },
      { code: "IAM.0002", message: "You are not authorized", rid: "trace-9" },
    ],
    [
      "CBR unauthorized wrapper",
      401,
      { unauthorized: { code: "401", message: "Malformed request url" } },
      { "x-request-id": "r8" },
      { code: "401", message: "Malformed request url", rid: "r8" },
    ],
  ];

  for (const [name, status, body, headers, want] of cases) {
    it(name, async () => {
      const server = await startServer((_req, res) => json(res, status, body, headers));
      const err = await failure(client(server.url).request(spec()));
      expect(err).toMatchObject({
        kind: "api",
        service: "evs",
        operation: "ShowSnapshot",
        status,
        code: want.code,
        cloudMessage: want.message,
        requestId: want.rid,
      });
      expect(err.message).toContain('EVS snapshot "nightly"');
      expect(err.message).toContain(`code ${want.code}`);
      expect(err.message).toContain(`request id ${want.rid}`);
    });
  }

  it("not-found answers are recognised by isNotFound", async () => {
    const server = await startServer((_req, res) =>
      json(res, 404, { itemNotFound: { code: 404, message: "gone" } }),
    );
    expect(isNotFound(await failure(client(server.url).request(spec())))).toBe(true);
  });

  it("401 APIGW.0301 says to check the keys and the clock", async () => {
    const server = await startServer((_req, res) =>
      json(res, 401, { error_code: "APIGW.0301", error_msg: "verify aksk signature fail", request_id: "x" }),
    );
    const err = await failure(client(server.url).request(spec()));
    expect(err.hint).toMatch(/access key and secret key.*clock/s);
  });

  it("an HTML 502 page is a response error with the status and a short excerpt", async () => {
    const page = `<html><head><title>502 Bad Gateway</title><style>body{}</style></head><body><h1>502 Bad Gateway</h1>${"<p>x</p>".repeat(200)}</body></html>`;
    const server = await startServer((_req, res) =>
      res.writeHead(502, { "content-type": "text/html", "x-request-id": "html-1" }).end(page),
    );
    const err = await failure(client(server.url, { maxRetries: 1 }).request(spec()));
    expect(server.requests).toHaveLength(2); // a GET is retried on 5xx
    expect(err).toMatchObject({ kind: "response", status: 502, requestId: "html-1" });
    expect(err.cloudMessage).toMatch(/^502 Bad Gateway 502 Bad Gateway x x/);
    expect(err.cloudMessage!.length).toBeLessThanOrEqual(161);
    expect(err.message).not.toContain("<");
  });

  it("a non-JSON 200 is a response error", async () => {
    const server = await startServer((_req, res) => res.writeHead(200).end("<html>login</html>"));
    const err = await failure(client(server.url).request(spec({ response: () => z.object({}) })));
    expect(err).toMatchObject({ kind: "response", status: 200 });
    expect(err.message).toContain("not JSON");
  });

  it("a body of the wrong shape names the operation and the first issue path", async () => {
    const server = await startServer((_req, res) =>
      json(res, 200, { snapshot: { id: 5, status: "available" } }, { "x-request-id": "v-1" }),
    );
    const err = await failure(
      client(server.url).request(
        spec({ response: () => z.object({ snapshot: z.object({ id: z.string(), status: z.string() }) }) }),
      ),
    );
    expect(err).toMatchObject({ kind: "response", operation: "ShowSnapshot", status: 200, requestId: "v-1" });
    expect(err.message).toContain("at snapshot.id");
    expect(err.message).toContain("EVS ShowSnapshot");
  });
});
