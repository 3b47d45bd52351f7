/**
 * No credential anywhere: lifecycles of all four resources and failing runs (bad signature, unknown
 * access key, expired token, request timeouts, wait timeouts, terminal failures, 5xx and dropped
 * answers) with recognisable temporary credentials (AK, SK and security token) and debug logging
 * on. Every returned output, partial-failure property, error (message, hint, stack, fields, cause
 * chain), every stdout/stderr line, the emulator's world JSON and its state file are scanned for the
 * credentials — raw, percent-encoded and base64. Also: https endpoints are always verified, and
 * plain http is used only where an endpoint override says so.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer as createHttpServer } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { DEFAULT_IDS, REGIONS, type RunningEmulator, startEmulator } from "../../emulator";
import {
  checkEndpoint,
  createClient,
  defaultEndpoint,
  endpointFor,
  HuaweiCloudError,
  resolveSettings,
  type Service,
} from "../../provider/client";
import type { Props } from "../../provider/resources/framework";
import { configure, provider } from "../../provider/resources/impl";
import { shim } from "../../provider/resources/shim";
import { dwsApi } from "../../provider/services/dws";

// Recognisable credentials, registered in the emulator as temporary credentials (with a token).
const AK = "AKSECRETSCANPROBE0042";
const SK = "SKsecretScanProbeValue-do-not-leak-0042";
const TOKEN = "TOKENsecretScanProbe-temporary-0042";
// Other values that must not show either: a wrong secret key, an unknown and an expired key.
const WRONG_SK = "SKwrongSecretScanProbe-0042";
const UNKNOWN_AK = "AKUNKNOWNSCANPROBE0042";
const EXPIRED_AK = "AKEXPIREDSCANPROBE0042";
const EXPIRED_SK = "SKexpiredScanProbe-0042";
const EXPIRED_TOKEN = "TOKENexpiredScanProbe-0042";
const SECRETS = { AK, SK, TOKEN, WRONG_SK, UNKNOWN_AK, EXPIRED_AK, EXPIRED_SK, EXPIRED_TOKEN };

/** Each secret in the forms a leak could take. */
function forms(value: string): string[] {
  return [value, encodeURIComponent(value), Buffer.from(value).toString("base64").replace(/=+$/, "")];
}

/** Names of the secrets found in `text` (empty when clean). */
function findSecrets(text: string): string[] {
  return Object.entries(SECRETS)
    .filter(([, v]) => forms(v).some((f) => text.includes(f)))
    .map(([k]) => k);
}

/** Everything an error says, down its cause chain. */
function everything(err: unknown): string {
  const parts: string[] = [];
  for (let e: any = err, i = 0; e && i < 6; e = e.cause, i++) {
    parts.push(String(e.message), String(e.stack), String(e.hint ?? ""), String(e.cloudMessage ?? ""));
    if (typeof e.fields === "function") parts.push(JSON.stringify({ ...e.fields(), cause: undefined }));
    if (e.properties) parts.push(JSON.stringify(e.properties));
    if (e.reasons) parts.push(JSON.stringify(e.reasons));
  }
  return parts.join("\n");
}

const seen = { outputs: [] as unknown[], errors: [] as unknown[], lines: [] as string[] };
let emu: RunningEmulator;
let dir: string;
let statePath: string;

function use(config: Record<string, string>) {
  const full: Record<string, string> = {
    "huaweicloud:endpoint": emu.url,
    "huaweicloud:region": REGIONS.primary.name,
    "huaweicloud:accessKey": AK,
    "huaweicloud:secretKey": SK,
    "huaweicloud:securityToken": TOKEN,
    "huaweicloud:maxRetries": "2",
    ...config,
  };
  configure({ config: { get: (k) => full[k] } });
}

async function attempt<T>(work: Promise<T>): Promise<T | undefined> {
  try {
    const out = await work;
    seen.outputs.push(out);
    return out;
  } catch (err) {
    seen.errors.push(err);
    return undefined;
  }
}

const INPUTS: Record<string, (name: string) => Props> = {
  DwsSnapshot: (name) => ({ clusterId: DEFAULT_IDS.dwsClusterId, name }),
  DwsSnapshotCopy: (name) => ({ sourceSnapshotId: DEFAULT_IDS.dwsAutomatedSnapshotIds[0], name }),
  EvsSnapshot: (name) => ({
    volumeId: DEFAULT_IDS.evsVolumeAvailableId,
    name,
    metadata: { owner: "secrets" },
  }),
  CbrReplication: () => ({
    sourceVaultId: DEFAULT_IDS.cbrSourceVaultId,
    destinationVaultId: DEFAULT_IDS.cbrDestinationVaultId,
    destinationRegion: REGIONS.secondary.name,
  }),
};

/** check → create → read → diff → update → delete; every answer and error recorded. */
async function lifecycle(kind: string, name: string, extra: Props = {}) {
  const p = provider(kind);
  const checked = await attempt(p.check({}, { ...INPUTS[kind]!(name), ...extra }));
  if (!checked || checked.failures.length) return;
  let id: string | undefined;
  let props: Props | undefined;
  try {
    const created = await p.create(checked.inputs);
    seen.outputs.push(created);
    ({ id } = created);
    props = created.outs;
  } catch (err) {
    seen.errors.push(err);
    const e = err as { id?: string; properties?: Props };
    id = e.id;
    props = e.properties;
  }
  if (!id || !props) return;
  await attempt(p.read(id, props));
  const news = kind === "EvsSnapshot" ? { ...checked.inputs, name: `${name}-renamed` } : checked.inputs;
  const d = await attempt(p.diff(id, props, news));
  if (d?.changes && d.replaces.length === 0) {
    const u = await attempt(p.update(id, props, { ...news, timeouts: { create: "1m", update: "1m" } }));
    if (u) props = u.outs;
  }
  await attempt(p.delete(id, props));
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "secrets-scan-"));
  statePath = join(dir, "world.json");
  emu = await startEmulator({
    port: 0,
    seed: 21,
    statePath,
    timings: {
      dwsSnapshotCreate: 400,
      dwsSnapshotCopy: 400,
      dwsSnapshotDelete: 100,
      evsSnapshotCreate: 400,
      evsSnapshotDelete: 100,
      cbrReplication: 500,
      cbrBackupDelete: 100,
    },
  });
  const far = Date.parse("2099-01-01T00:00:00Z");
  emu.backend.iam.accessKeys.set(AK, { secretKey: SK, securityToken: TOKEN, expiresAt: far });
  emu.backend.iam.accessKeys.set(EXPIRED_AK, {
    secretKey: EXPIRED_SK,
    securityToken: EXPIRED_TOKEN,
    expiresAt: Date.parse("2020-01-01T00:00:00Z"),
  });
  vi.stubEnv("HUAWEICLOUD_SNAPSHOTS_DEBUG", "1");
  const record = (chunk: string | Uint8Array) => {
    seen.lines.push(...String(chunk).split("\n").filter(Boolean));
    return true;
  };
  vi.spyOn(process.stderr, "write").mockImplementation(record);
  vi.spyOn(process.stdout, "write").mockImplementation(record);
});

afterAll(async () => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
  await emu?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("credentials never leak", () => {
  it("the scanner finds a secret in any of its forms (control)", () => {
    expect(findSecrets(`x ${SK} y`)).toEqual(["SK"]);
    expect(findSecrets(encodeURIComponent(TOKEN))).toEqual(["TOKEN"]);
    expect(findSecrets(Buffer.from(`${AK}`).toString("base64"))).toEqual(["AK"]);
    expect(findSecrets("clean")).toEqual([]);
  });

  it("lifecycles of every resource, succeeding and failing, say nothing secret", async () => {
    use({});
    await Promise.all(Object.keys(INPUTS).map((kind) => lifecycle(kind, `secrets-ok-${kind.length}`)));

    // Wait timeouts (partial failure, then the resumed wait).
    emu.backend.reset();
    emu.setTimings({ evsSnapshotCreate: 1200, dwsSnapshotCreate: 1200, cbrReplication: 1200 });
    await Promise.all(
      ["EvsSnapshot", "DwsSnapshot", "CbrReplication"].map((kind) =>
        lifecycle(kind, `secrets-slow-${kind.length}`, { timeouts: { create: "200ms" } }),
      ),
    );
    emu.setTimings({ evsSnapshotCreate: 400, dwsSnapshotCreate: 400, cbrReplication: 500 });

    // Terminal failures.
    emu.backend.reset();
    emu.setFaults({ fail: { dwsSnapshot: 1, evsSnapshot: 1, cbrReplication: 1 } });
    await Promise.all(Object.keys(INPUTS).map((kind) => lifecycle(kind, `secrets-fail-${kind.length}`)));
    emu.setFaults({ fail: { dwsSnapshot: 0, evsSnapshot: 0, cbrReplication: 0 } });

    // 5xx, resets and dropped answers: retries, outcome-unknown errors and adoption in the log.
    emu.backend.reset();
    emu.setFaults({ serverErrorRate: 0.2, resetRate: 0.1, dropResponseAfterCommitRate: 0.5 });
    await Promise.all(Object.keys(INPUTS).map((kind) => lifecycle(kind, `secrets-flaky-${kind.length}`)));
    emu.setFaults({ serverErrorRate: 0, resetRate: 0, dropResponseAfterCommitRate: 0 });

    // A request timeout.
    emu.setFaults({ latencyMs: 400 });
    use({ "huaweicloud:requestTimeout": "150ms", "huaweicloud:maxRetries": "0" });
    await lifecycle("EvsSnapshot", "secrets-timeout");
    emu.setFaults({ latencyMs: 0 });

    // Bad signature (known key, wrong secret), unknown access key (the gateway echoes it), expired token.
    const before = seen.errors.length;
    use({ "huaweicloud:secretKey": WRONG_SK });
    await Promise.all([
      lifecycle("EvsSnapshot", "secrets-badsig"),
      lifecycle("CbrReplication", "secrets-badsig"),
    ]);
    use({ "huaweicloud:accessKey": UNKNOWN_AK, "huaweicloud:secretKey": WRONG_SK });
    await lifecycle("DwsSnapshot", "secrets-unknown-ak");
    use({
      "huaweicloud:accessKey": EXPIRED_AK,
      "huaweicloud:secretKey": EXPIRED_SK,
      "huaweicloud:securityToken": EXPIRED_TOKEN,
    });
    await lifecycle("EvsSnapshot", "secrets-expired");
    const authErrors = seen.errors.slice(before).map((e) => String((e as Error).message));
    expect(authErrors.length).toBe(4);
    for (const m of authErrors) expect(m).toMatch(/HTTP 401, code APIGW\.0301, request id \w+/);
    use({});

    // What was exercised: creates that succeeded, partial failures, clear errors, debug lines.
    expect(seen.outputs.length).toBeGreaterThan(30);
    expect(seen.errors.length).toBeGreaterThanOrEqual(12);
    expect(seen.lines.some((l) => l.startsWith("[huaweicloud] POST"))).toBe(true);
    expect(seen.lines.some((l) => l.includes("signature rejected; canonical request as signed"))).toBe(true);
    expect(seen.lines.some((l) => l.includes("retrying"))).toBe(true);

    await emu.close(); // flushes the state file
    const places: Record<string, string> = {
      outputs: JSON.stringify(seen.outputs),
      errors: seen.errors.map(everything).join("\n"),
      logLines: seen.lines.join("\n"),
      world: JSON.stringify(emu.world()),
      stateFile: readFileSync(statePath, "utf8"),
      providerShim: Object.values(shim("EvsSnapshot")).map(String).join("\n"),
    };
    const hits = Object.entries(places).flatMap(([where, text]) =>
      findSecrets(text).map((s) => `${where}: ${s}`),
    );
    console.error(
      `secret scan: ${seen.outputs.length} outputs, ${seen.errors.length} errors, ${seen.lines.length} log lines, ` +
        `world ${places.world!.length} B, state file ${places.stateFile!.length} B — ${hits.length} hits`,
    );
    expect(hits).toEqual([]);
  }, 90_000);
});

// ---------------------------------------------------------------------------------------------
// Transport security.

/**
 * A throwaway self-signed certificate for 127.0.0.1, made with openssl for this run (no key is kept
 * in the repository).
 */
function selfSignedCertificate(): { key: string; cert: string } {
  const dir = mkdtempSync(join(tmpdir(), "self-signed-"));
  try {
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-keyout",
        join(dir, "key.pem"),
        "-out",
        join(dir, "cert.pem"),
        "-days",
        "1",
        "-subj",
        "/CN=127.0.0.1",
        "-addext",
        "subjectAltName=IP:127.0.0.1",
      ],
      { stdio: "ignore" },
    );
    return {
      key: readFileSync(join(dir, "key.pem"), "utf8"),
      cert: readFileSync(join(dir, "cert.pem"), "utf8"),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function client(endpoint: string) {
  return createClient(
    {
      credentials: { accessKey: AK, secretKey: SK },
      region: "cn-north-4",
      projectIds: { "cn-north-4": "0123456789abcdef0123456789abcdef" },
      endpoints: { all: checkEndpoint(endpoint, "test endpoint") },
      requestTimeoutMs: 2000,
      maxRetries: 1,
    },
    { backoff: () => 1 },
  );
}

describe("transport security", () => {
  it("a self-signed https endpoint is refused with a clear TLS error; no request is ever served", async () => {
    let served = 0;
    const server = createHttpsServer(selfSignedCertificate(), (_req, res) => {
      served++;
      res.writeHead(200, { "content-type": "application/json" }).end('{"snapshots":[]}');
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    try {
      const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const err = await dwsApi(client(url), "cn-north-4")
        .listSnapshots()
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(HuaweiCloudError);
      const e = err as HuaweiCloudError;
      expect(e.kind).toBe("network");
      expect(e.message).toMatch(
        /DWS ListSnapshots: could not talk to https:\/\/127\.0\.0\.1:\d+: .*(SELF_SIGNED|CERT)/,
      );
      expect(findSecrets(everything(err))).toEqual([]);
      expect(served).toBe(0);
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });

  it("an endpoint without a scheme means https: never a silent fallback to plain http", async () => {
    let served = 0;
    const server = createHttpServer((_req, res) => {
      served++;
      res.writeHead(200, { "content-type": "application/json" }).end('{"snapshots":[]}');
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    try {
      const hostPort = `127.0.0.1:${(server.address() as AddressInfo).port}`;
      expect(checkEndpoint(hostPort, "x")).toBe(`https://${hostPort}`);
      const err = await dwsApi(client(hostPort), "cn-north-4")
        .listSnapshots()
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(HuaweiCloudError);
      expect((err as HuaweiCloudError).kind).toBe("network");
      expect(served).toBe(0);
      // Plain http where the override says so.
      const ok = await dwsApi(client(`http://${hostPort}`), "cn-north-4").listSnapshots();
      expect(ok).toEqual([]);
      expect(served).toBe(1);
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });

  it("without an override every service in every region is https", () => {
    // Any region name the one region rule accepts (provider/client/rules.ts): area, words, number.
    const letters = (min: number, max: number) =>
      fc.string({ unit: fc.constantFrom(..."abcdefghijklmnopqrstuvwxyz"), minLength: min, maxLength: max });
    const region = fc
      .tuple(letters(2, 2), fc.array(letters(1, 8), { minLength: 1, maxLength: 3 }), fc.nat({ max: 999 }))
      .map(([area, words, n]) => [area, ...words, String(n)].join("-"));
    fc.assert(
      fc.property(fc.constantFrom<Service>("dws", "evs", "cbr", "iam"), region, (service, r) => {
        expect(defaultEndpoint(service, r)).toMatch(/^https:\/\//);
        const settings = resolveSettings({
          env: { HW_ACCESS_KEY: "a", HW_SECRET_KEY: "b", HW_REGION_NAME: r },
        });
        expect(endpointFor(settings, service, r)).toMatch(/^https:\/\//);
      }),
      { numRuns: 200 },
    );
    // http only when an override says so, per service or for all.
    const withHttp = resolveSettings({
      env: { HW_ACCESS_KEY: "a", HW_SECRET_KEY: "b", HW_EVS_ENDPOINT: "http://127.0.0.1:1" },
    });
    expect(endpointFor(withHttp, "evs", "cn-north-4")).toBe("http://127.0.0.1:1");
    expect(endpointFor(withHttp, "dws", "cn-north-4")).toMatch(/^https:\/\//);
  });
});
