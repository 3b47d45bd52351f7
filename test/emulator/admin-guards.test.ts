/**
 * The admin API's guards: a browser page on another origin, a DNS-rebinding Host, a text/plain
 * POST, a percent-encoded or dotted prefix, a missing token. Each refused before anything changes.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isLoopbackHost, normalisePath, type RunningEmulator, startEmulator } from "../../emulator/index";
import { type CallOptions, call, withEmulator } from "./helpers";

const clusters = (emu: RunningEmulator) => emu.world().dws.clusters.length;

describe("admin API guards", () => {
  let emu: RunningEmulator;
  beforeAll(async () => {
    emu = await withEmulator();
  });
  afterAll(() => emu.close());

  const reset = (o: Partial<CallOptions> = {}) =>
    call(emu, { method: "POST", path: "/__emulator/reset", unsigned: true, body: { world: "empty" }, ...o });

  it("a cross-origin request is refused (403) and changes nothing", async () => {
    const before = clusters(emu);
    const r = await reset({ headers: { Origin: "https://evil.example" } });
    expect(r.status).toBe(403);
    expect(r.json.error).toContain("cross-origin");
    const site = await reset({ headers: { "Sec-Fetch-Site": "cross-site" } });
    expect(site.status).toBe(403);
    const nullOrigin = await reset({ headers: { Origin: "null" } });
    expect(nullOrigin.status).toBe(403);
    expect(clusters(emu)).toBe(before);
    // The same origin is fine.
    const same = await call(emu, {
      path: "/__emulator/health",
      unsigned: true,
      headers: { Origin: `http://127.0.0.1:${emu.port}`, "Sec-Fetch-Site": "same-origin" },
    });
    expect(same.status).toBe(200);
  });

  it("a Host that is not a loopback name is refused (DNS rebinding)", async () => {
    const before = clusters(emu);
    for (const host of [`rebind.evil.example:${emu.port}`, "10.0.0.5", "127.0.0.1.evil.example"]) {
      const r = await reset({ headers: { Host: host } });
      expect(r.status, host).toBe(403);
      expect(r.json.error).toContain("Host");
    }
    expect(clusters(emu)).toBe(before);
    for (const host of [`localhost:${emu.port}`, `[::1]:${emu.port}`, "127.0.0.2"]) {
      const ok = await call(emu, { path: "/__emulator/health", unsigned: true, headers: { Host: host } });
      expect(ok.status, host).toBe(200);
    }
  });

  it("a POST without a JSON content type is refused (415): no simple cross-site form or text/plain POST", async () => {
    const before = clusters(emu);
    const plain = await call(emu, {
      method: "POST",
      path: "/__emulator/reset",
      unsigned: true,
      rawBody: '{"world":"empty"}',
      headers: { "Content-Type": "text/plain" },
    });
    expect(plain.status).toBe(415);
    const none = await call(emu, { method: "POST", path: "/__emulator/counts/reset", unsigned: true });
    expect(none.status).toBe(415);
    const form = await call(emu, {
      method: "PUT",
      path: "/__emulator/faults",
      unsigned: true,
      rawBody: "resetRate=1",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
    });
    expect(form.status).toBe(415);
    expect(clusters(emu)).toBe(before);
    expect(emu.backend.config.faults.resetRate).toBe(0);
  });

  it("the percent-encoded, doubled or dotted prefix is normalised: it reaches the admin API and its guards", async () => {
    for (const path of [
      "/%5F%5Femulator/health",
      "/%5f%5femulator/health",
      "//__emulator//health",
      "/v3/../__emulator/./health",
    ]) {
      const r = await call(emu, { path, unsigned: true });
      expect(r.status, path).toBe(200);
      expect(r.json).toEqual({ ok: true });
    }
    const before = clusters(emu);
    const sneaky = await call(emu, {
      method: "POST",
      path: "/%5F%5Femulator/reset",
      unsigned: true,
      rawBody: '{"world":"empty"}',
      headers: { "Content-Type": "text/plain", Origin: "https://evil.example" },
    });
    expect(sneaky.status).toBe(403);
    expect(clusters(emu)).toBe(before);
    expect(normalisePath("/%5F%5Femulator/reset")).toBe("/__emulator/reset");
    expect(normalisePath("/a/b/../../../__emulator/x/")).toBe("/__emulator/x");
    expect(normalisePath("/%E0%A4%A")).toBeUndefined();
  });
});

describe("admin token and binding", () => {
  it("with a token, admin calls need Authorization: Bearer <token>", async () => {
    const emu = await withEmulator({ adminToken: "s3cret-admin-token" });
    try {
      const none = await call(emu, { path: "/__emulator/world", unsigned: true });
      expect(none.status).toBe(401);
      expect(none.text).not.toContain("s3cret-admin-token");
      const wrong = await call(emu, {
        path: "/__emulator/world",
        unsigned: true,
        headers: { Authorization: "Bearer nope" },
      });
      expect(wrong.status).toBe(401);
      const right = await call(emu, {
        path: "/__emulator/world",
        unsigned: true,
        headers: { Authorization: "Bearer s3cret-admin-token" },
      });
      expect(right.status).toBe(200);
    } finally {
      await emu.close();
    }
  });

  it("warns when bound to a non-loopback address, not when bound to loopback", async () => {
    const lines: string[] = [];
    const wide = await startEmulator({ port: 0, host: "0.0.0.0", warn: (l) => lines.push(l) });
    await wide.close();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/WARNING.*0\.0\.0\.0.*admin token/);
    const local = await startEmulator({ port: 0, warn: (l) => lines.push(l) });
    await local.close();
    expect(lines).toHaveLength(1);
    expect(isLoopbackHost("127.0.0.1")).toBe(true);
    expect(isLoopbackHost("[::1]")).toBe(true);
    expect(isLoopbackHost("localhost")).toBe(true);
    expect(isLoopbackHost("0.0.0.0")).toBe(false);
    expect(isLoopbackHost("192.168.1.4")).toBe(false);
  });
});
