/**
 * Malformed answers and malformed requests (fast-check):
 * - the client, through every service call the resources make, against a local server answering
 *   bad JSON, missing fields, wrong types, HTML gateway pages, empty and truncated bodies, or
 *   nothing at all: every call settles within a bound, with a HuaweiCloudError naming the operation;
 * - the emulator fed generated paths, queries, headers and bodies, signed or not: it always
 *   answers, errors in the service/gateway shape with a request id, never an internal error, and
 *   keeps serving.
 */
import { createServer, request, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  DEFAULT_IDS,
  DEMO_ACCESS_KEY,
  DEMO_SECRET_KEY,
  REGIONS,
  type RunningEmulator,
  startEmulator,
} from "../../emulator";
import { createClient, type HuaweiClient, HuaweiCloudError, type Settings } from "../../provider/client";
import { parseErrorBody } from "../../provider/client/responses";
import { formatSdkDate, signRequest } from "../../provider/client/sign";
import { configure, provider } from "../../provider/resources/impl";
import { cbrApi } from "../../provider/services/cbr";
import { dwsApi } from "../../provider/services/dws";
import { evsApi } from "../../provider/services/evs";

const REGION = "cn-north-4";
const PROJECT = "0123456789abcdef0123456789abcdef";
const ID = "5aa119a8-d25b-45a7-8d1b-88e127885635";
const REQUEST_TIMEOUT_MS = 250;
/** Two attempts of at most the request timeout each, plus slack: nothing may take longer. */
const BOUND_MS = 4 * REQUEST_TIMEOUT_MS + 1500;

// ---------------------------------------------------------------------------------------------
// A server whose next answers are scripted.

type Answer =
  | { kind: "body"; status: number; contentType: string; body: string }
  | { kind: "truncated"; status: number; body: string }
  | { kind: "reset-mid-body"; status: number; body: string }
  | { kind: "hang" };

let script: Answer = { kind: "hang" };
let server: Server;
let url: string;

function answer(res: ServerResponse, a: Answer) {
  switch (a.kind) {
    case "body":
      res.writeHead(a.status, { "content-type": a.contentType, "x-request-id": "req-malformed" });
      res.end(a.body);
      return;
    case "truncated":
      // Promises more bytes than it sends, then closes.
      res.writeHead(a.status, {
        "content-type": "application/json",
        "content-length": String(Buffer.byteLength(a.body) + 100),
      });
      res.write(a.body);
      setTimeout(() => res.socket?.destroy(), 5);
      return;
    case "reset-mid-body":
      res.writeHead(a.status, { "content-type": "application/json" });
      res.write(a.body.slice(0, Math.ceil(a.body.length / 2)));
      setTimeout(() => res.socket?.destroy(), 5);
      return;
    case "hang":
      return; // never answers; the client's timeout must end it
  }
}

const GATEWAY_PAGE = (status: number) =>
  `<html><head><title>${status} Bad Gateway</title></head><body><center><h1>${status} Bad Gateway</h1></center><hr><center>nginx</center></body></html>`;

const answers = (): fc.Arbitrary<Answer> => {
  const status = fc.constantFrom(200, 201, 202, 204, 400, 401, 403, 404, 409, 429, 500, 502, 503, 504);
  const validish = fc.oneof(
    fc.constant({}),
    fc.constant({ snapshot: {} }),
    fc.constant({ snapshots: [{}] }),
    fc.constant({ backups: [{ id: 1 }] }),
    fc.constant({ replicate: { replication_records: "none" } }),
    fc.constant({ projects: [{ id: 7 }] }),
    fc.constant({ snapshot: { id: ID, status: 12 } }),
    fc.constant({ snapshots: { id: ID } }),
    fc.constant({ error_code: 5, error_msg: { nested: true } }),
    fc.constant({ error: "not an object" }),
    fc.record({
      snapshot: fc.record({ id: fc.anything(), status: fc.anything(), name: fc.anything() }),
    }),
    fc.dictionary(
      fc.constantFrom(
        "snapshot",
        "snapshots",
        "backups",
        "backup",
        "replicate",
        "projects",
        "error",
        "count",
      ),
      fc.anything(),
    ),
    fc.jsonValue(),
  );
  const badJson = fc.oneof(
    fc.constantFrom("{", '{"snapshot": ', "[1,2", "{'single': 'quotes'}", "undefined", "NaN", "\u0000"),
    fc.string({ minLength: 1 }).map((s) => `{${s}`),
    fc.jsonValue().map((v) => `${JSON.stringify(v)}}`),
  );
  return fc.oneof(
    {
      weight: 4,
      arbitrary: fc.record({
        kind: fc.constant("body" as const),
        status,
        contentType: fc.constant("application/json"),
        body: validish.map((v) => JSON.stringify(v) ?? "null"),
      }),
    },
    {
      weight: 3,
      arbitrary: fc.record({
        kind: fc.constant("body" as const),
        status,
        contentType: fc.constant("application/json"),
        body: badJson,
      }),
    },
    {
      weight: 2,
      arbitrary: status.map((s) => ({
        kind: "body" as const,
        status: s,
        contentType: "text/html",
        body: GATEWAY_PAGE(s),
      })),
    },
    {
      weight: 2,
      arbitrary: status.map((s) => ({
        kind: "body" as const,
        status: s,
        contentType: "application/json",
        body: "",
      })),
    },
    {
      weight: 2,
      arbitrary: fc.record({
        kind: fc.constant("truncated" as const),
        status,
        body: validish.map((v) => JSON.stringify(v) ?? ""),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant("reset-mid-body" as const),
        status,
        body: fc.constant('{"snapshot":{"id":"x","status":"AVAILABLE"}}'),
      }),
    },
    { weight: 1, arbitrary: fc.constant({ kind: "hang" as const }) },
  );
};

function settings(): Settings {
  return {
    credentials: { accessKey: "AKMALFORMEDTEST00001", secretKey: "SKmalformedTestSecret0001" },
    region: REGION,
    projectIds: { [REGION]: PROJECT },
    endpoints: { all: url },
    requestTimeoutMs: REQUEST_TIMEOUT_MS,
    maxRetries: 1,
  };
}

/** Every call the resources make, by operation name. */
const OPS: Array<{ service: string; operation: string; call: (c: HuaweiClient) => Promise<unknown> }> = [
  {
    service: "DWS",
    operation: "CreateSnapshot",
    call: (c) => dwsApi(c, REGION).createSnapshot({ name: "abcd", cluster_id: ID }),
  },
  {
    service: "DWS",
    operation: "CopySnapshot",
    call: (c) => dwsApi(c, REGION).copySnapshot(ID, { backup_name: "abcd" }),
  },
  { service: "DWS", operation: "ListSnapshotDetails", call: (c) => dwsApi(c, REGION).getSnapshot(ID) },
  { service: "DWS", operation: "ListSnapshots", call: (c) => dwsApi(c, REGION).listSnapshots() },
  { service: "DWS", operation: "DeleteSnapshot", call: (c) => dwsApi(c, REGION).deleteSnapshot(ID) },
  {
    service: "EVS",
    operation: "CreateSnapshot",
    call: (c) => evsApi(c, REGION).createSnapshot({ volume_id: ID, name: "n" }),
  },
  { service: "EVS", operation: "ShowSnapshot", call: (c) => evsApi(c, REGION).getSnapshot(ID) },
  {
    service: "EVS",
    operation: "ListSnapshots",
    call: (c) => evsApi(c, REGION).listSnapshots({ volume_id: ID }),
  },
  {
    service: "EVS",
    operation: "UpdateSnapshot",
    call: (c) => evsApi(c, REGION).updateSnapshot(ID, { name: "n", description: "" }),
  },
  { service: "EVS", operation: "DeleteSnapshot", call: (c) => evsApi(c, REGION).deleteSnapshot(ID) },
  {
    service: "CBR",
    operation: "CopyCheckpoint",
    call: (c) =>
      cbrApi(c, REGION).replicateVault({
        vault_id: ID,
        destination_vault_id: ID,
        destination_region: "ap-southeast-1",
        destination_project_id: PROJECT,
      }),
  },
  { service: "CBR", operation: "ShowBackup", call: (c) => cbrApi(c, REGION).getBackup(ID) },
  { service: "CBR", operation: "ListBackups", call: (c) => cbrApi(c, REGION).listBackups({ vault_id: ID }) },
  { service: "CBR", operation: "DeleteBackup", call: (c) => cbrApi(c, REGION).deleteBackup(ID) },
  { service: "IAM", operation: "KeystoneListProjects", call: (c) => c.projectId("ap-southeast-1") },
];

const counted = { client: 0, emulator: 0 };

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on("end", () => answer(res, script));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  console.log(`malformed cases: ${counted.client} client calls, ${counted.emulator} emulator requests`);
});

describe("the client under malformed answers", () => {
  it("every call settles in time with a HuaweiCloudError naming the operation (or a validated answer)", async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...OPS), answers(), async (op, a) => {
        counted.client++;
        script = a;
        const client = createClient(settings(), { backoff: () => 1 });
        const started = Date.now();
        let timer: NodeJS.Timeout | undefined;
        const outcome = await Promise.race([
          op.call(client).then(
            (value) => ({ ok: true as const, value }),
            (error: unknown) => ({ ok: false as const, error }),
          ),
          new Promise<"hang">((r) => {
            timer = setTimeout(() => r("hang"), BOUND_MS);
          }),
        ]);
        clearTimeout(timer);
        expect(outcome, `${op.operation} did not settle within ${BOUND_MS} ms`).not.toBe("hang");
        if (outcome === "hang") return;
        if (outcome.ok) {
          // Only a 2xx whose body met the operation's schema may succeed.
          expect(a.kind).toBe("body");
          expect(a.kind === "body" && a.status >= 200 && a.status < 300).toBe(true);
          return;
        }
        const e = outcome.error as HuaweiCloudError;
        expect(e, String(e)).toBeInstanceOf(HuaweiCloudError);
        expect(e.operation).toBe(op.operation);
        expect(e.message).toContain(`${op.service} ${op.operation}`);
        expect(["api", "response", "network"]).toContain(e.kind);
        expect(e.message).not.toMatch(/TypeError|Cannot read prop|\[object Object\]/);
        expect(Date.now() - started).toBeLessThan(BOUND_MS);
      }),
      { numRuns: 150 },
    );
  }, 60_000);

  it("a resource's create and read against a gateway error page end in a clear error", async () => {
    const config: Record<string, string> = {
      "huaweicloud:endpoint": url,
      "huaweicloud:region": REGION,
      "huaweicloud:accessKey": "AKMALFORMEDTEST00001",
      "huaweicloud:secretKey": "SKmalformedTestSecret0001",
      "huaweicloud:projectIds": JSON.stringify({ [REGION]: PROJECT }),
      "huaweicloud:requestTimeout": String(REQUEST_TIMEOUT_MS),
      "huaweicloud:maxRetries": "0",
    };
    configure({ config: { get: (k) => config[k] } });
    script = { kind: "body", status: 200, contentType: "text/html", body: GATEWAY_PAGE(200) };
    const create = await provider("EvsSnapshot")
      .create({ volumeId: ID, name: "html" })
      .catch((e: unknown) => e as Error);
    expect(create).toBeInstanceOf(HuaweiCloudError);
    expect((create as Error).message).toMatch(
      /EVS snapshot "html", EVS CreateSnapshot: the answer is not JSON/,
    );
    const read = await provider("DwsSnapshot")
      .read(ID, { clusterId: ID, name: "abcd" })
      .catch((e: unknown) => e as Error);
    expect(read).toBeInstanceOf(HuaweiCloudError);
    expect((read as Error).message).toMatch(/DWS ListSnapshotDetails/);
  });
});

// ---------------------------------------------------------------------------------------------
// The emulator under malformed requests.

describe("the emulator under malformed requests", () => {
  let emu: RunningEmulator;
  const internal: string[] = [];
  beforeAll(async () => {
    emu = await startEmulator({
      port: 0,
      seed: 9,
      debug: (line) => {
        if (/internal error|unexpected error/i.test(line)) internal.push(line);
      },
    });
  });
  afterAll(() => emu?.close());

  const P = REGIONS.primary.projectId;
  const segment = () =>
    fc.oneof(
      fc.constantFrom(
        ID,
        DEFAULT_IDS.dwsAutomatedSnapshotIds[0],
        DEFAULT_IDS.cbrSourceVaultId,
        DEFAULT_IDS.cbrSourceBackupIds[0],
        DEFAULT_IDS.evsVolumeAvailableId,
        "",
        "..",
        "%",
        "%zz",
      ),
      fc.string({ maxLength: 40 }).map(encodeURIComponent),
      fc.string({ unit: "binary", maxLength: 10 }).map(encodeURIComponent),
    );
  const project = () => fc.oneof(fc.constant(P), fc.constant(REGIONS.secondary.projectId), segment());
  const path = () =>
    fc.oneof(
      fc
        .tuple(
          fc.constantFrom(
            "/v1.0/{p}/snapshots",
            "/v1.0/{p}/snapshots/{x}",
            "/v1.0/{p}/snapshots/{x}/linked-copy",
            "/v1.0/{p}/clusters/{x}/snapshots",
            "/v1.0/{p}/clusters/{x}",
            "/v2/{p}/cloudsnapshots",
            "/v2/{p}/cloudsnapshots/detail",
            "/v2/{p}/cloudsnapshots/{x}",
            "/v3/{p}/checkpoints/replicate",
            "/v3/{p}/backups",
            "/v3/{p}/backups/{x}",
            "/v3/{p}/backups/{x}/replicate",
            "/v3/{p}/vaults/{x}",
            "/v3/{p}/operation-logs",
            "/v3/projects",
            "/v3/auth/tokens",
            "/{x}",
            "/{x}/{x}/{x}",
          ),
          project(),
          segment(),
        )
        .map(([t, p, x]) => t.replace("{p}", p).replaceAll("{x}", x)),
      fc.string({ maxLength: 60 }).map((s) => `/${encodeURI(s).replace(/[?#]/g, "")}`),
    );
  const query = () =>
    fc.array(
      fc.tuple(
        fc.oneof(
          fc.constantFrom(
            "limit",
            "offset",
            "vault_id",
            "image_type",
            "name",
            "volume_id",
            "show_replication",
            "sort_key",
          ),
          fc.string({ maxLength: 8 }),
        ),
        fc.oneof(
          fc.constantFrom("-1", "0", "abc", "1e9", "", "true", "replication"),
          fc.string({ maxLength: 12 }),
        ),
      ),
      { maxLength: 4 },
    );
  const body = () =>
    fc.oneof(
      fc.constant(undefined),
      fc.string({ maxLength: 80 }),
      fc.jsonValue().map((v) => JSON.stringify(v)),
      fc
        .tuple(
          fc.constantFrom("snapshot", "replicate", "backup", "auth", "name"),
          fc.oneof(
            fc.jsonValue(),
            fc.object(),
            fc.constant({ name: "abcd", cluster_id: DEFAULT_IDS.dwsClusterId }),
          ),
        )
        .map(([k, v]) => JSON.stringify({ [k]: v })),
      fc.uint8Array({ maxLength: 40 }).map((b) => Buffer.from(b).toString("latin1")),
    );
  const headers = () =>
    fc.dictionary(
      fc.constantFrom(
        "content-type",
        "x-sdk-date",
        "x-auth-token",
        "x-security-token",
        "x-project-id",
        "accept",
        "x-extra",
      ),
      fc.string({
        unit: fc.constantFrom(..."abcdefghijklmnopqrstuvwxyz0123456789;=/ -_.:TZ"),
        maxLength: 30,
      }),
      { maxKeys: 3 },
    );

  function send(o: {
    method: string;
    path: string;
    query: Array<[string, string]>;
    body?: string;
    headers: Record<string, string>;
    signed: boolean;
  }): Promise<{ status: number; headers: Record<string, unknown>; text: string }> {
    const bodyBuf = o.body === undefined ? Buffer.alloc(0) : Buffer.from(o.body, "latin1");
    const h: Record<string, string> = {
      host: `127.0.0.1:${emu.port}`,
      "x-sdk-date": formatSdkDate(new Date()),
      ...o.headers,
    };
    if (o.signed && h["x-sdk-date"]) {
      // Signed as the client would, so the request gets past the gateway into the handlers.
      const signed = signRequest(
        { method: o.method, path: o.path, query: o.query, headers: h, body: bodyBuf },
        { accessKey: DEMO_ACCESS_KEY, secretKey: DEMO_SECRET_KEY },
      );
      h.authorization = signed.authorization;
    }
    const qs = o.query.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join("&");
    return new Promise((resolve, reject) => {
      const req = request(
        {
          host: "127.0.0.1",
          port: emu.port,
          method: o.method,
          path: qs ? `${o.path}?${qs}` : o.path,
          headers: { ...h, "content-length": String(bodyBuf.length) },
          agent: false,
          timeout: 5000,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () =>
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              text: Buffer.concat(chunks).toString("utf8"),
            }),
          );
          res.on("error", reject);
        },
      );
      req.on("timeout", () => req.destroy(new Error("no answer within 5 s")));
      req.on("error", reject);
      req.end(bodyBuf);
    });
  }

  it("answers every generated request; errors in the service shape with a request id; never internal", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          method: fc.constantFrom("GET", "POST", "PUT", "DELETE", "PATCH"),
          path: path(),
          query: query(),
          body: body(),
          headers: headers(),
          signed: fc.boolean(),
        }),
        async (r) => {
          counted.emulator++;
          const res = await send({ ...r, body: r.body ?? undefined });
          expect(res.status).toBeGreaterThanOrEqual(200);
          expect(res.status).toBeLessThan(600);
          expect(res.headers["x-request-id"]).toBeTruthy();
          if (res.status >= 400) {
            const json = JSON.parse(res.text);
            const cloud = parseErrorBody(json);
            expect(cloud.code, res.text).toMatch(/^[A-Za-z]+\.\d{4}$/);
            expect(cloud.message, res.text).toBeTruthy();
          }
        },
      ),
      { numRuns: 400 },
    );
    expect(internal).toEqual([]);
    // The generated requests reached the handlers of many operations, not only the 404 route.
    const reached = Object.keys(emu.counts()).filter((k) => /^(dws|evs|cbr|iam)\./.test(k));
    expect(reached.length).toBeGreaterThan(8);
    // Still serving, and still answering a proper request properly.
    const ok = await send({
      method: "GET",
      path: `/v1.0/${P}/snapshots`,
      query: [],
      headers: {},
      signed: true,
    });
    expect(ok.status).toBe(200);
  }, 60_000);
});
