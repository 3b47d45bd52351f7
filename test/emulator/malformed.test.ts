import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_IDS, type RunningEmulator } from "../../emulator/index";
import { call, P1, withEmulator } from "./helpers";

function rawExchange(port: number, data: string, closeAfterWrite = false): Promise<string> {
  return new Promise((resolve) => {
    const s = connect(port, "127.0.0.1");
    let out = "";
    s.setTimeout(3000, () => s.destroy());
    s.on("data", (d) => {
      out += d.toString();
    });
    s.on("close", () => resolve(out));
    s.on("error", () => resolve(out));
    s.write(data, () => {
      if (closeAfterWrite) s.end();
    });
  });
}

describe("malformed requests", () => {
  let emu: RunningEmulator;
  beforeAll(async () => {
    emu = await withEmulator();
  });
  afterAll(() => emu.close());

  it("bad JSON gets each service's 400 shape", async () => {
    const cases: Array<[string, (j: any) => unknown, unknown]> = [
      [`/v1.0/${P1}/snapshots`, (j) => j.error_code, "DWS.0001"],
      [`/v2/${P1}/cloudsnapshots`, (j) => j.error.code, "EVS.5400"],
      [`/v3/${P1}/checkpoints/replicate`, (j) => j.error_code, "BackupService.9900"],
      ["/v3/auth/tokens", (j) => j.error_code, "IAM.0011"],
    ];
    for (const [path, pick, code] of cases) {
      const r = await call(emu, { method: "POST", path, rawBody: "{not json" });
      expect(r.status).toBe(400);
      expect(pick(r.json)).toBe(code);
      const empty = await call(emu, { method: "POST", path });
      expect(empty.status).toBe(400);
    }
  });

  it("missing and mistyped fields", async () => {
    const bodies: Array<[string, unknown, string]> = [
      [`/v1.0/${P1}/snapshots`, { snapshot: { name: "x-missing" } }, "DWS.0001"],
      [`/v1.0/${P1}/snapshots`, { snapshot: { name: 12, cluster_id: DEFAULT_IDS.dwsClusterId } }, "DWS.0001"],
      [`/v1.0/${P1}/snapshots`, [], "DWS.0001"],
      [
        `/v1.0/${P1}/snapshots/${DEFAULT_IDS.dwsAutomatedSnapshotIds[0]}/linked-copy`,
        { description: "" },
        "DWS.0001",
      ],
      [`/v3/${P1}/checkpoints/replicate`, { replicate: { vault_id: 1 } }, "BackupService.9900"],
    ];
    for (const [path, body, code] of bodies) {
      const r = await call(emu, { method: "POST", path, body });
      expect([r.status, r.json.error_code]).toEqual([400, code]);
    }
    const evs = await call(emu, {
      method: "POST",
      path: `/v2/${P1}/cloudsnapshots`,
      body: { snapshot: { force: "yes" } },
    });
    expect([evs.status, evs.json.error.code]).toEqual([400, "EVS.5400"]);
    const meta = await call(emu, {
      method: "POST",
      path: `/v2/${P1}/cloudsnapshots`,
      body: { snapshot: { volume_id: DEFAULT_IDS.evsVolumeAvailableId, metadata: { a: 1 } } },
    });
    expect(meta.status).toBe(400);
    const limit = await call(emu, { path: `/v2/${P1}/cloudsnapshots/detail`, query: [["limit", "abc"]] });
    expect(limit.json.error.code).toBe("EVS.2142");
  });

  it("unknown paths and wrong methods: 404 APIGW.0101 in the gateway shape", async () => {
    for (const [method, path] of [
      ["GET", "/"],
      ["GET", "/v9/whatever"],
      ["PATCH", `/v1.0/${P1}/snapshots`],
      ["PUT", `/v1.0/${P1}/snapshots/x`],
      ["POST", `/v3/${P1}/backups`],
    ] as const) {
      const r = await call(emu, { method, path });
      expect(r.status).toBe(404);
      expect(r.json).toMatchObject({ error_code: "APIGW.0101", request_id: r.headers["x-request-id"] });
    }
  });

  it("huge bodies get 413 APIGW.0201 and the server keeps answering", async () => {
    const big = "x".repeat(2 * 1024 * 1024);
    const r = await call(emu, { method: "POST", path: `/v1.0/${P1}/snapshots`, rawBody: big });
    expect(r.status).toBe(413);
    expect(r.json.error_code).toBe("APIGW.0201");
    expect((await call(emu, { path: `/v1.0/${P1}/snapshots` })).status).toBe(200);
  });

  it("broken HTTP, truncated bodies and bad percent-encoding never crash or stall the server", async () => {
    const garbage = await rawExchange(emu.port, "THIS IS NOT HTTP\r\n\r\n");
    expect(garbage).toContain("400");
    const truncated = await rawExchange(
      emu.port,
      `POST /v1.0/${P1}/snapshots HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"snap`,
      true,
    );
    expect(typeof truncated).toBe("string");
    const badEncoding = await call(emu, { path: `/v1.0/${P1}/snapshots/%E0%A4%A`, unsigned: true });
    expect(badEncoding.status).toBe(400);
    expect(badEncoding.json.error_code).toBe("APIGW.0201");
    expect((await call(emu, { path: `/v1.0/${P1}/snapshots` })).status).toBe(200);
  });
});
