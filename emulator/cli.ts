#!/usr/bin/env node
/**
 * `npm run emulator -- [--port 8787] [--state file] [timing and fault flags]`: starts the emulator,
 * prints how to point a stack at it, and shuts down cleanly on SIGINT/SIGTERM.
 */
import { parseArgs } from "node:util";
import { DEMO_ACCESS_KEY, DEMO_SECRET_KEY, REGIONS } from "./defaults";
import {
  ADMIN_PREFIX,
  type FaultsPatch,
  type ServerLimits,
  StateFileError,
  startEmulator,
  type Timings,
} from "./index";

const TIMING_FLAGS: Record<string, keyof Timings> = {
  "dws-create-ms": "dwsSnapshotCreate",
  "dws-copy-ms": "dwsSnapshotCopy",
  "dws-delete-ms": "dwsSnapshotDelete",
  "evs-create-ms": "evsSnapshotCreate",
  "evs-delete-ms": "evsSnapshotDelete",
  "cbr-replication-ms": "cbrReplication",
  "cbr-delete-ms": "cbrBackupDelete",
  jitter: "jitter",
};

const USAGE = `Usage: npm run emulator -- [options]
  --port N              listen port (default 8787; 0 picks a free port)
  --host H              listen address (default 127.0.0.1)
  --state FILE          persist the world to FILE (loaded at start; every change fsynced before its answer)
  --world empty         start with an empty world instead of the default one
  --debug               log signature mismatches with the canonical request
  --admin-token T       require "Authorization: Bearer T" on the admin API (or EMULATOR_ADMIN_TOKEN)
  --admin-host NAME     accept this Host name on the admin API besides loopback ones (repeatable)
  --page-size N         largest page of every paged list (default: the documented 1000)
  --headers-timeout-ms N  --request-timeout-ms N  --max-connections N   (defaults 10000, 30000, 1024)
Timings (milliseconds): ${Object.keys(TIMING_FLAGS)
  .map((f) => `--${f}`)
  .join(" ")}
Faults: --rate-limit N (per second per service+region)  --error-rate F  --reset-rate F
        --latency-ms N  --latency-jitter F  --drop-rate F (POSTs committed, then dropped)
        --fail-dws F  --fail-evs F  --fail-cbr F   (F is a fraction 0..1)`;

function num(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) {
    process.stderr.write(`--${name}: expected a non-negative number, got ${v}\n`);
    process.exit(2);
  }
  return n;
}

async function main(): Promise<void> {
  const stringFlags = [
    "port",
    "host",
    "state",
    "world",
    ...Object.keys(TIMING_FLAGS),
    "rate-limit",
    "error-rate",
    "reset-rate",
    "latency-ms",
    "latency-jitter",
    "drop-rate",
    "fail-dws",
    "fail-evs",
    "fail-cbr",
    "admin-token",
    "page-size",
    "headers-timeout-ms",
    "request-timeout-ms",
    "max-connections",
  ];
  const { values } = parseArgs({
    options: {
      ...Object.fromEntries(stringFlags.map((f) => [f, { type: "string" as const }])),
      debug: { type: "boolean" },
      "admin-host": { type: "string", multiple: true },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  });
  const v = values as Record<string, string | boolean | undefined>;
  if (v.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const s = (k: string) => (typeof v[k] === "string" ? (v[k] as string) : undefined);
  const timings: Partial<Timings> = {};
  for (const [flag, key] of Object.entries(TIMING_FLAGS)) {
    const n = num(flag, s(flag));
    if (n !== undefined) timings[key] = n;
  }
  const faults: FaultsPatch = {};
  const fail: NonNullable<FaultsPatch["fail"]> = {};
  const set = <K extends keyof FaultsPatch>(k: K, flag: string) => {
    const n = num(flag, s(flag));
    if (n !== undefined) faults[k] = n as FaultsPatch[K];
  };
  set("rateLimitPerSecond", "rate-limit");
  set("serverErrorRate", "error-rate");
  set("resetRate", "reset-rate");
  set("latencyMs", "latency-ms");
  set("latencyJitter", "latency-jitter");
  set("dropResponseAfterCommitRate", "drop-rate");
  /** Sets `target[key]` from a numeric flag when it is given. */
  const put = <T extends object>(target: T, key: keyof T, flag: string) => {
    const n = num(flag, s(flag));
    if (n !== undefined) (target as Record<keyof T, number>)[key] = n;
  };
  put(fail, "dwsSnapshot", "fail-dws");
  put(fail, "evsSnapshot", "fail-evs");
  put(fail, "cbrReplication", "fail-cbr");
  if (Object.keys(fail).length > 0) faults.fail = fail;

  const pageSize = num("page-size", s("page-size"));
  const limits: Partial<ServerLimits> = {};
  put(limits, "headersTimeoutMs", "headers-timeout-ms");
  put(limits, "requestTimeoutMs", "request-timeout-ms");
  put(limits, "maxConnections", "max-connections");
  const adminToken = s("admin-token") ?? process.env.EMULATOR_ADMIN_TOKEN;
  const adminHosts = (values as { "admin-host"?: string[] })["admin-host"];
  const emu = await startEmulator({
    port: num("port", s("port")) ?? 8787,
    host: s("host") ?? "127.0.0.1",
    timings,
    faults,
    ...(s("state") ? { statePath: s("state")! } : {}),
    world: s("world") === "empty" ? "empty" : "default",
    debug: v.debug === true,
    limits,
    ...(pageSize === undefined
      ? {}
      : {
          pageSizes: {
            cbrBackups: pageSize,
            cbrOpLogs: pageSize,
            evsSnapshots: pageSize,
            evsVolumes: pageSize,
            dwsClusterSnapshots: pageSize,
          },
        }),
    ...(adminToken ? { adminToken } : {}),
    ...(adminHosts ? { adminHosts } : {}),
  });
  const region = REGIONS.primary.name;
  process.stdout.write(
    [
      `Huawei Cloud emulator listening on ${emu.url}`,
      `  services: IAM, DWS, EVS, CBR on one base URL; admin API under ${emu.url}${ADMIN_PREFIX}${adminToken ? " (admin token required)" : ""}`,
      `  regions: ${REGIONS.primary.name} (project ${REGIONS.primary.projectId}), ${REGIONS.secondary.name} (project ${REGIONS.secondary.projectId})`,
      `  demo credentials (emulator only): AK ${DEMO_ACCESS_KEY}  SK ${DEMO_SECRET_KEY}`,
      s("state") ? `  state file: ${s("state")}` : "  state: in memory (use --state FILE to keep it)",
      "",
      "Point a stack at it:",
      `  pulumi config set huaweicloud:endpoint ${emu.url}`,
      `  pulumi config set huaweicloud:region ${region}`,
      `  pulumi config set huaweicloud:accessKey ${DEMO_ACCESS_KEY}`,
      `  pulumi config set --secret huaweicloud:secretKey ${DEMO_SECRET_KEY}`,
      "or with environment variables:",
      `  export HW_ENDPOINT=${emu.url} HW_REGION_NAME=${region} HW_ACCESS_KEY=${DEMO_ACCESS_KEY} HW_SECRET_KEY=${DEMO_SECRET_KEY}`,
      "",
      "Press Ctrl+C to stop.",
      "",
    ].join("\n"),
  );
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`\n${signal}: shutting down\n`);
    emu.close().then(
      () => process.exit(0),
      (err) => {
        process.stderr.write(`close failed: ${String(err)}\n`);
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
}

main().catch((err) => {
  const usage = err instanceof StateFileError ? "" : `${USAGE}\n`;
  process.stderr.write(`emulator: ${err instanceof Error ? err.message : String(err)}\n${usage}`);
  process.exit(1);
});
