/**
 * Produces the resources a compiled Pulumi program registers — with the real serialized `__provider` —
 * by running it under `pulumi.runtime.setMocks` in a plain `node` child process (capture-child.ts).
 * A child process, because the SDK's closure serialization needs plain CommonJS modules in
 * `require.cache` (under vitest's module runner only "require inside methods" providers serialize).
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { PropertyMap } from "./protocol";

export interface CapturedResource {
  urn: string;
  type: string;
  name: string;
  custom: boolean;
  parent?: string;
  provider?: string;
  /** Wire-form inputs incl. the real `__provider`; secrets sig-wrapped; unknowns as the sentinel. */
  inputs: PropertyMap;
  /** URNs this resource depends on (explicit and through inputs). */
  dependencies: string[];
  /** Input name → URNs whose outputs flowed into it. */
  propertyDependencies: Record<string, string[]>;
}

export interface CaptureOptions {
  /** Path of the compiled program (e.g. dist/examples/index.js or <project>/index.js). */
  program: string;
  project: string;
  stack: string;
  /** Stack config, `project:key` (or `pkg:key`) → value, as PULUMI_CONFIG. */
  config?: Record<string, string>;
  /** Config keys that are secret (PULUMI_CONFIG_SECRET_KEYS). */
  secretKeys?: string[];
  /** Run as a preview: mocked ids are unknown, so inputs built from them are the unknown sentinel. */
  preview?: boolean;
  /** Working directory of the child; defaults to the program's directory. */
  cwd?: string;
  env?: Record<string, string | undefined>;
  timeoutMs?: number;
}

export interface CaptureResult {
  resources: CapturedResource[];
  /** The child's stderr (diagnostics, e.g. the program's own logging). */
  stderr: string;
  elapsedMs: number;
}

/** The compiled child script: next to this file when compiled, else under dist/. */
export function captureChildPath(): string {
  const here = path.join(__dirname, "capture-child.js");
  if (fs.existsSync(here)) return here;
  const compiled = path.resolve(__dirname, "../../dist/scripts/engine/capture-child.js");
  if (fs.existsSync(compiled)) return compiled;
  throw new Error(`capture-child.js not found (looked at ${here} and ${compiled}); run npm run build`);
}

export async function capture(opts: CaptureOptions): Promise<CaptureResult> {
  const started = Date.now();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "pulumi-capture-"));
  const out = path.join(tmp, "resources.json");
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const [k, v] of Object.entries(opts.env ?? {})) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  env.PULUMI_CONFIG = JSON.stringify(opts.config ?? {});
  if (opts.secretKeys?.length) env.PULUMI_CONFIG_SECRET_KEYS = JSON.stringify(opts.secretKeys);
  else delete env.PULUMI_CONFIG_SECRET_KEYS;
  const program = path.resolve(opts.program);
  const args = [captureChildPath(), program, opts.project, opts.stack, String(opts.preview ?? false), out];
  try {
    const stderr = await new Promise<string>((resolve, reject) => {
      execFile(
        process.execPath,
        args,
        {
          cwd: opts.cwd ?? path.dirname(program),
          env,
          timeout: opts.timeoutMs ?? 60_000,
          maxBuffer: 16 << 20,
        },
        (err, _stdout, stderr) => {
          if (err) reject(new Error(`capturing ${program} failed: ${err.message}\n${stderr}`));
          else resolve(stderr);
        },
      );
    });
    const resources = JSON.parse(fs.readFileSync(out, "utf8")) as CapturedResource[];
    return { resources, stderr, elapsedMs: Date.now() - started };
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
