/**
 * Issue 10 items 13 and 14 at the client: a call with a deadline ends by it whatever it is doing
 * (sending, backing off, looking up the project id), and an answer body has a size cap.
 * No timing is asserted: which limit ended the call is told by the error (the per-request timeout
 * is set far above the deadline, so only the deadline can end these calls).
 */
import { describe, expect, it } from "vitest";
import { createClient, HuaweiCloudError, withDeadline } from "../../provider/client";
import { MAX_BODY_BYTES } from "../../provider/client/http";
import type { RequestSpec, Settings } from "../../provider/client/types";
import { json, startServer, testSettings } from "./server";

const SLOW_REQUESTS: Partial<Settings> = { requestTimeoutMs: 60_000, maxRetries: 8 };

function spec(overrides: Partial<RequestSpec<unknown>> = {}): RequestSpec<unknown> {
  return {
    service: "evs",
    operation: "CreateSnapshot",
    region: "cn-north-4",
    method: "POST",
    path: "/v2/{project_id}/cloudsnapshots",
    body: { snapshot: { volume_id: "v", name: "nightly" } },
    resource: 'EVS snapshot "nightly"',
    ...overrides,
  };
}

async function failure(p: Promise<unknown>): Promise<HuaweiCloudError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(HuaweiCloudError);
  return err as HuaweiCloudError;
}

describe("deadlines", () => {
  it("a POST to an endpoint that never answers ends at the deadline, outcome unknown", async () => {
    const server = await startServer(() => undefined); // never answers
    const client = withDeadline(createClient(testSettings(server.url, SLOW_REQUESTS)), Date.now() + 300);
    const err = await failure(client.request(spec()));
    expect(err.kind).toBe("timeout");
    expect(err.operation).toBe("CreateSnapshot");
    expect(err.message).toContain("time ran out");
    expect(err.message).not.toContain("60000 ms");
    expect(err.outcomeUnknown).toBe(true);
    expect(err.hint).toMatch(/may already have taken effect/);
    expect(server.requests).toHaveLength(1); // never re-posted
  }, 10_000);

  it("a GET that keeps failing stops retrying at the deadline (not after every retry)", async () => {
    const server = await startServer((_req, res) =>
      json(res, 503, { error_code: "EVS.5000", error_msg: "busy" }),
    );
    // Backoff of 1 s per retry: 8 retries would take 8 s; the deadline ends it during the first backoff.
    const client = withDeadline(
      createClient(testSettings(server.url, SLOW_REQUESTS), { backoff: () => 1000 }),
      Date.now() + 300,
    );
    const err = await failure(
      client.request(spec({ method: "GET", operation: "ShowSnapshot", body: undefined })),
    );
    expect(err.kind).toBe("timeout");
    expect(err.message).toContain("time ran out waiting to try again after HTTP 503");
    expect(err.outcomeUnknown).toBe(false);
    expect(server.requests).toHaveLength(1);
  }, 10_000);

  it("the project id look-up is bounded by the deadline too, and names who needed it", async () => {
    const server = await startServer(() => undefined); // IAM never answers
    const client = withDeadline(
      createClient(testSettings(server.url, { ...SLOW_REQUESTS, projectIds: {} })),
      Date.now() + 300,
    );
    const err = await failure(
      client.request(spec({ method: "GET", operation: "ShowSnapshot", body: undefined })),
    );
    expect(err.kind).toBe("timeout");
    expect(err.message).toContain('EVS snapshot "nightly"');
    expect(err.message).toContain("project id of cn-north-4");
    expect(err.message).toContain("needed for EVS ShowSnapshot");
  }, 10_000);

  it("a request without a deadline is bounded by the request timeout as before", async () => {
    const server = await startServer(() => undefined);
    const client = createClient(testSettings(server.url, { requestTimeoutMs: 150, maxRetries: 0 }));
    const err = await failure(
      client.request(spec({ method: "GET", operation: "ShowSnapshot", body: undefined })),
    );
    expect(err.kind).toBe("network");
    expect(err.message).toContain("no answer within 150 ms");
  });
});

describe("project look-up failures", () => {
  it("name the resource and the call that needed the project id, with one request id", async () => {
    const server = await startServer((req, res) =>
      req.path === "/v3/projects"
        ? json(res, 200, { projects: [], links: {} }, { "x-iam-trace-id": "iam-trace-7" })
        : json(res, 200, {}),
    );
    const client = createClient(testSettings(server.url, { projectIds: {} }));
    const err = await failure(
      client.request(spec({ method: "GET", operation: "ShowSnapshot", body: undefined })),
    );
    expect(err.message).toMatch(/^EVS snapshot "nightly", IAM KeystoneListProjects: IAM knows no project/);
    expect(err.message).toContain("needed for EVS ShowSnapshot");
    expect(err.message.match(/iam-trace-7/g)).toHaveLength(1);
  });
});

describe("naming the resource later", () => {
  it("does not repeat the request id, code or cloud message", () => {
    const e = new HuaweiCloudError("the request was refused", {
      kind: "api",
      service: "evs",
      operation: "ShowSnapshot",
      status: 400,
      code: "EVS.0001",
      requestId: "req-1",
      cloudMessage: "bad: thing",
    }).withResource('EVS snapshot "x"');
    expect(e.message).toBe(
      'EVS snapshot "x", EVS ShowSnapshot: the request was refused — bad: thing (HTTP 400, code EVS.0001, request id req-1)',
    );
  });
});

describe("answer size", () => {
  it("an endless body is cut at the cap with a clear error, not read into memory", async () => {
    const chunk = Buffer.alloc(1024 * 1024, 0x61);
    let written = 0;
    const server = await startServer((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      const pump = () => {
        // Bounded: stops on its own after 4x the cap if the client never stops reading.
        while (written < 4 * MAX_BODY_BYTES && !res.destroyed) {
          written += chunk.length;
          if (!res.write(chunk)) return res.once("drain", pump);
        }
        res.end();
      };
      res.on("close", () => undefined);
      pump();
    });
    const client = createClient(testSettings(server.url, { maxRetries: 0, requestTimeoutMs: 30_000 }));
    const err = await failure(
      client.request(spec({ method: "GET", operation: "ListSnapshots", body: undefined })),
    );
    expect(err.kind).toBe("response");
    expect(err.message).toContain(`larger than ${MAX_BODY_BYTES / 1024 / 1024} MiB`);
    expect(err.message).toContain("EVS ListSnapshots");
    expect(err.status).toBe(200);
    expect(written).toBeLessThan(4 * MAX_BODY_BYTES);
  }, 30_000);

  it("a create whose answer is too large to read may have happened: outcome unknown", async () => {
    const server = await startServer((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(Buffer.alloc(MAX_BODY_BYTES + 1, 0x20));
    });
    const client = createClient(testSettings(server.url, { maxRetries: 0 }));
    const err = await failure(client.request(spec()));
    expect(err.outcomeUnknown).toBe(true);
    expect(server.requests).toHaveLength(1);
  }, 30_000);
});
