/**
 * Finding and running a real Pulumi CLI, offline: the one `npm run pulumi:install` built into
 * tools/pulumi/bin, else a `pulumi` on the PATH. Used by `npm run demo` and the real-CLI tests
 * (test/cli). See docs/cli.md.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

/** The repository: this file runs as scripts/*.ts (tests) or dist/scripts/*.js (demo). */
const REPO_ROOT =
  path.basename(path.resolve(__dirname, "..")) === "dist"
    ? path.resolve(__dirname, "..", "..")
    : path.resolve(__dirname, "..");

/** Where `npm run pulumi:install` puts `pulumi`, `pulumi-language-nodejs` and the dynamic-provider shim. */
export const BUILT_CLI_DIR = path.join(REPO_ROOT, "tools", "pulumi", "bin");

export interface PulumiCli {
  /** Absolute path of the `pulumi` executable. */
  bin: string;
  /** "built": tools/pulumi/bin; "path": the user's own `pulumi` on the PATH. */
  source: "built" | "path";
}

function executable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

export function onPath(cmd: string, pathVar = process.env.PATH ?? ""): string | undefined {
  for (const dir of pathVar.split(path.delimiter)) {
    if (dir && executable(path.join(dir, cmd))) return path.join(dir, cmd);
  }
  return undefined;
}

/** The built CLI when present, else `pulumi` on the PATH, else undefined. */
export function findPulumi(): PulumiCli | undefined {
  const built = path.join(BUILT_CLI_DIR, "pulumi");
  if (executable(built)) return { bin: built, source: "built" };
  const own = onPath("pulumi");
  return own ? { bin: own, source: "path" } : undefined;
}

export interface CliEnvOptions {
  cli: PulumiCli;
  /** A directory of its own: the local backend, PULUMI_HOME (plugins, credentials) live under it. */
  stateDir: string;
  passphrase: string;
  /** Added last (e.g. HW_* settings for the provider host). */
  extra?: Record<string, string>;
}

/**
 * The environment for an offline CLI run: a file backend and PULUMI_HOME under `stateDir`, a
 * passphrase for secrets, no update check, no plugin downloads. PATH starts with the CLI's own
 * directory (where the language host and `pulumi-resource-pulumi-nodejs` sit, as in Pulumi's release
 * archives), then this repository's @pulumi/pulumi (which ships the dynamic-provider shim). No
 * Huawei Cloud settings of the caller's environment leak in.
 */
export function cliEnvironment(opts: CliEnvOptions): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!/^(HW_|HUAWEICLOUD_|CLOUD_SDK_|PULUMI_|npm_)/i.test(k)) env[k] = v;
  }
  const backend = path.join(opts.stateDir, "backend");
  fs.mkdirSync(backend, { recursive: true });
  env.PATH = [
    path.dirname(opts.cli.bin),
    path.join(REPO_ROOT, "node_modules", "@pulumi", "pulumi"),
    process.env.PATH ?? "",
  ].join(path.delimiter);
  Object.assign(env, {
    PULUMI_BACKEND_URL: `file://${backend}`,
    PULUMI_HOME: path.join(opts.stateDir, "home"),
    PULUMI_CONFIG_PASSPHRASE: opts.passphrase,
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    PULUMI_DIY_BACKEND_NO_LEGACY_WARNING: "true",
    PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK: "true",
    // Enables `--event-log <file>` on up/refresh/destroy (the engine's events as JSON lines).
    PULUMI_DEBUG_COMMANDS: "true",
    NO_COLOR: "1",
    ...opts.extra,
  });
  return env;
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Kill (SIGKILL, the whole process group) after this long; default 5 minutes. */
  timeoutMs?: number;
  /** Also write the CLI's output through (the demo shows it as it comes). */
  echo?: boolean;
  /** Called with the child as soon as it runs (a test kills it from outside). */
  onSpawn?: (child: import("node:child_process").ChildProcess) => void;
}

/** Runs `pulumi <args>` in its own process group; resolves with its exit and output, never rejects on exit code. */
export function runPulumi(cli: PulumiCli, args: string[], opts: RunOptions): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cli.bin, args, {
      cwd: opts.cwd,
      env: opts.env,
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => {
      stdout += d;
      if (opts.echo) process.stdout.write(d);
    });
    child.stderr.on("data", (d: Buffer) => {
      stderr += d;
      if (opts.echo) process.stderr.write(d);
    });
    const timer = setTimeout(() => killGroup(child.pid), opts.timeoutMs ?? 300_000);
    child.once("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      // Whatever the CLI started (language host, node, provider host) goes with it.
      killGroup(child.pid);
      resolve({ code, signal, stdout, stderr });
    });
    opts.onSpawn?.(child);
  });
}

/** SIGKILL to a process group started with `detached: true`; a group already gone is fine. */
export function killGroup(pid: number | undefined): void {
  if (!pid) return;
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
    // already gone
  }
}
