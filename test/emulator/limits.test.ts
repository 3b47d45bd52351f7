/**
 * Safe to leave running: slow clients are cut off (headers and body timeouts), connections are
 * capped, an oversized chunked body gets 413, and invalid UTF-8 in a body is refused.
 */
import { connect, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_IDS, type RunningEmulator } from "../../emulator/index";
import { call, P1, withEmulator } from "./helpers";

/** Collects what the server sends until it closes the socket (or `capMs` passes: then "open"). */
function untilClosed(sock: Socket, capMs: number): Promise<{ closed: boolean; data: string }> {
  return new Promise((resolve) => {
    let data = "";
    sock.on("data", (c) => {
      data += c.toString("latin1");
    });
    const timer = setTimeout(() => resolve({ closed: false, data }), capMs);
    sock.on("close", () => {
      clearTimeout(timer);
      resolve({ closed: true, data });
    });
    sock.on("error", () => {});
  });
}

function open(emu: RunningEmulator): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(emu.port, "127.0.0.1", () => resolve(s));
    s.once("error", reject);
  });
}

/** Writes one byte every `everyMs` until the socket closes or `maxBytes` are sent. */
function drip(sock: Socket, text: string, everyMs: number): () => void {
  let i = 0;
  const t = setInterval(() => {
    if (sock.destroyed || i >= text.length) return clearInterval(t);
    sock.write(text[i++]!);
  }, everyMs);
  return () => clearInterval(t);
}

describe("connection limits", () => {
  let emu: RunningEmulator;
  beforeAll(async () => {
    emu = await withEmulator({
      limits: { headersTimeoutMs: 400, requestTimeoutMs: 800, keepAliveTimeoutMs: 500, maxConnections: 4 },
    });
  });
  afterAll(() => emu.close());

  it("a client dripping its headers a byte at a time is answered 408 and closed", async () => {
    const sock = await open(emu);
    const stop = drip(
      sock,
      `GET /v3/${P1}/vaults HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ${"x".repeat(200)}`,
      50,
    );
    const r = await untilClosed(sock, 10_000);
    stop();
    expect(r.closed).toBe(true);
    expect(r.data).toMatch(/^HTTP\/1\.1 408/);
  });

  it("a client that sends headers and then drips its body is cut off too", async () => {
    const sock = await open(emu);
    sock.write(
      `POST /v2/${P1}/cloudsnapshots HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n`,
    );
    const stop = drip(sock, "{".padEnd(499, " "), 50);
    const r = await untilClosed(sock, 10_000);
    stop();
    expect(r.closed).toBe(true);
  });

  it("a connection that never sends anything is closed", async () => {
    const sock = await open(emu);
    const r = await untilClosed(sock, 10_000);
    expect(r.closed).toBe(true);
  });

  it("connections beyond the cap are closed at once; the server keeps answering", async () => {
    const held = await Promise.all(Array.from({ length: 4 }, () => open(emu)));
    // Keep the held ones busy so they count as open (an unfinished request line).
    for (const s of held) s.write("GET /__emulator/health HTTP/1.1\r\n");
    const extra = await open(emu);
    const r = untilClosed(extra, 5_000);
    // A complete request: without the cap it would be answered 200.
    extra.write("GET /__emulator/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    const out = await r;
    expect(out.closed).toBe(true);
    expect(out.data).toBe("");
    for (const s of held) s.destroy();
    // Bounded poll: the server accepts again once the held sockets are gone.
    let status = 0;
    for (let i = 0; i < 50 && status !== 200; i++) {
      status = await call(emu, { path: "/__emulator/health", unsigned: true }).then(
        (x) => x.status,
        () => 0,
      );
    }
    expect(status).toBe(200);
  });
});

describe("request bodies", () => {
  let emu: RunningEmulator;
  beforeAll(async () => {
    emu = await withEmulator();
  });
  afterAll(() => emu.close());

  it("an oversized chunked body (no Content-Length) gets 413 APIGW.0201", async () => {
    const sock = await open(emu);
    sock.write(
      `POST /v2/${P1}/cloudsnapshots HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`,
    );
    const chunk = Buffer.alloc(256 * 1024, 0x20);
    const r = untilClosed(sock, 15_000);
    for (let i = 0; i < 6 && !sock.destroyed; i++) {
      sock.write(`${chunk.length.toString(16)}\r\n`);
      sock.write(chunk);
      sock.write("\r\n");
    }
    sock.write("0\r\n\r\n");
    const out = await r;
    expect(out.data).toMatch(/^HTTP\/1\.1 413/);
    expect(out.data).toContain('"error_code":"APIGW.0201"');
  });

  it("invalid UTF-8 in a name is refused in the service's shape, not stored as U+FFFD", async () => {
    const before = emu.world().evs.snapshots.length;
    const json = `{"snapshot":{"volume_id":"${DEFAULT_IDS.evsVolumeAvailableId}","name":"bad-\u0000"}}`;
    const raw = Buffer.from(json.replace("\u0000", "__"), "utf8");
    const at = raw.indexOf("__");
    raw[at] = 0xc3; // a lead byte followed by ...
    raw[at + 1] = 0x28; // ... a byte that cannot continue it
    const r = await call(emu, { method: "POST", path: `/v2/${P1}/cloudsnapshots`, rawBody: raw });
    expect(r.status).toBe(400);
    expect(r.json).toMatchObject({ error: { code: "EVS.5400" } });
    expect(r.text).toContain("UTF-8");
    expect(emu.world().evs.snapshots.length).toBe(before);
    const dws = Buffer.from(`{"snapshot":{"name":"abcd\u00e9","cluster_id":"${DEFAULT_IDS.dwsClusterId}"}}`);
    dws[dws.indexOf(0xc3) + 1] = 0xff;
    const d = await call(emu, { method: "POST", path: `/v1.0/${P1}/snapshots`, rawBody: dws });
    expect(d.status).toBe(400);
    expect(d.json).toMatchObject({ error_code: "DWS.0001" });
    // In a query filter too: refused, not matched against a name with U+FFFD.
    const q = await call(emu, {
      path: `/v2/${P1}/cloudsnapshots/detail`,
      tamper: (x) => {
        x.path = `${x.path}?name=bad%C3%28`;
      },
    });
    expect(q.status).toBe(400);
    expect(q.json).toMatchObject({ error_code: "APIGW.0201" });
  });
});
