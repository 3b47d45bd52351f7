import { describe, expect, it } from "vitest";
import { z } from "zod";
import { createClient } from "../../provider/client";
import { parseAuthorization, verifySignature } from "../../provider/client/sign";
import { json, PROJECT, startServer, testSettings } from "./server";

describe("createClient: a plain call", () => {
  it("signs, fills the project id, sends JSON and validates the answer", async () => {
    const server = await startServer((req, res) =>
      json(res, 200, { snapshot: { id: "s-1", extra: 1 } }, { "x-request-id": "req-1" }),
    );
    const client = createClient(testSettings(server.url));
    const res = await client.request({
      service: "dws",
      operation: "CreateSnapshot",
      region: "cn-north-4",
      method: "POST",
      path: "/v1.0/{project_id}/snapshots",
      query: { limit: 2, tag: ["b", "a"] },
      body: { snapshot: { name: "n" } },
      response: () => z.object({ snapshot: z.object({ id: z.string() }) }),
    });
    expect(res.body).toEqual({ snapshot: { id: "s-1" } });
    expect(res.requestId).toBe("req-1");
    const req = server.requests[0]!;
    expect(req.path).toBe(`/v1.0/${PROJECT}/snapshots`);
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
});
