/**
 * Real-CLI test set-up: a scratch Pulumi project per stack (its own local backend, PULUMI_HOME and
 * passphrase under a temp dir), a program written by the test the way a user edits index.js, and
 * the stack config pointing at an in-process emulator. See docs/cli.md.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { REGIONS } from "../../emulator/defaults";
import type { RunningEmulator } from "../../emulator/index";
import { leftovers, stackCreatableIds } from "../../scripts/engine";
import {
  type CliResult,
  cliEnvironment,
  findPulumi,
  type PulumiCli,
  runPulumi,
} from "../../scripts/pulumi-cli";
import { EXAMPLE_PROJECT, REPO_ROOT, TEST_ACCESS_KEY, TEST_SECRET_KEY, tempDir } from "../engine/helpers";

export const CLI: PulumiCli | undefined = findPulumi();

export type Kind = "DwsSnapshot" | "DwsSnapshotCopy" | "EvsSnapshot" | "CbrReplication";

/** One resource of a program: `new <kind>(name, args, opts)`. */
export interface ResourceSpec {
  kind: Kind;
  name: string;
  args: Record<string, unknown>;
  opts?: { protect?: boolean; retainOnDelete?: boolean; import?: string };
}

/**
 * The program text: requires the package by name (as a user's program does) and exports every
 * resource's id. Arguments are JSON, so the program is exactly what the test says.
 */
export function programText(resources: ResourceSpec[]): string {
  const lines = [
    `"use strict";`,
    `const hw = require("pulumi-huaweicloud-snapshots");`,
    `const ids = {};`,
    ...resources.map(
      (r) =>
        `ids[${JSON.stringify(r.name)}] = new hw.${r.kind}(${JSON.stringify(r.name)}, ${JSON.stringify(r.args)}, ${JSON.stringify(r.opts ?? {})}).id;`,
    ),
    `exports.ids = ids;`,
  ];
  return `${lines.join("\n")}\n`;
}

/** The ids one stack's resources use, seeded fresh so stacks sharing an emulator never collide. */
export interface StackWorld {
  clusterId: string;
  automatedSnapshotId: string;
  volumeId: string;
  sourceVaultId: string;
  destinationVaultId: string;
  /** A second server backup vault with one backup (for a CbrReplication input change). */
  otherSourceVaultId: string;
  /** A second replication vault in the destination region (for a CbrReplication input change). */
  otherDestinationVaultId: string;
}

export function seedStackWorld(emu: RunningEmulator, label: string): StackWorld {
  const primary = REGIONS.primary.name;
  const secondary = REGIONS.secondary.name;
  const s = emu.backend.seed({
    dwsClusters: [{ name: `dws-${label}`, region: primary }],
    evsVolumes: [{ name: `vol-${label}`, region: primary, status: "available" }],
    cbrVaults: [
      { name: `src-${label}`, region: primary, objectType: "server", protectType: "backup" },
      { name: `dst-${label}`, region: secondary, objectType: "server", protectType: "replication" },
      { name: `src2-${label}`, region: primary, objectType: "server", protectType: "backup" },
      { name: `dst2-${label}`, region: secondary, objectType: "server", protectType: "replication" },
    ],
  });
  const [sourceVaultId, destinationVaultId, otherSourceVaultId, otherDestinationVaultId] = s.cbrVaults as [
    string,
    string,
    string,
    string,
  ];
  const more = emu.backend.seed({
    dwsSnapshots: [{ clusterId: s.dwsClusters[0]!, name: `auto-${label}`, type: "AUTOMATED" }],
    cbrBackups: [
      { vaultId: sourceVaultId, name: `backup-${label}`, status: "available" },
      { vaultId: otherSourceVaultId, name: `backup2-${label}`, status: "available" },
    ],
  });
  return {
    clusterId: s.dwsClusters[0]!,
    automatedSnapshotId: more.dwsSnapshots[0]!,
    volumeId: s.evsVolumes[0]!,
    sourceVaultId,
    destinationVaultId,
    otherSourceVaultId,
    otherDestinationVaultId,
  };
}

/** One of each resource on a stack's own world; names carry the label (DWS names are project-unique). */
export function fourResources(w: StackWorld, label: string): ResourceSpec[] {
  return [
    { kind: "DwsSnapshot", name: "nightly", args: { clusterId: w.clusterId, name: `nightly-${label}` } },
    {
      kind: "DwsSnapshotCopy",
      name: "keep",
      args: { sourceSnapshotId: w.automatedSnapshotId, name: `keep-${label}` },
    },
    {
      kind: "EvsSnapshot",
      name: "disk",
      args: { volumeId: w.volumeId, name: `disk-${label}`, metadata: { team: "db" } },
    },
    {
      kind: "CbrReplication",
      name: "offsite",
      args: {
        sourceVaultId: w.sourceVaultId,
        destinationVaultId: w.destinationVaultId,
        destinationRegion: REGIONS.secondary.name,
      },
    },
  ];
}

export const PASSPHRASE = "cli-test-throwaway-passphrase";

/** A scratch project + stack driven through the real CLI. */
export class CliStack {
  readonly dir: string;
  readonly projectDir: string;
  readonly env: NodeJS.ProcessEnv;
  private readonly cleanupDir: () => void;

  private constructor(
    readonly cli: PulumiCli,
    readonly stack: string,
  ) {
    const tmp = tempDir(`cli-${stack}-`);
    this.dir = tmp.dir;
    this.cleanupDir = tmp.cleanup;
    this.projectDir = path.join(tmp.dir, "project");
    fs.mkdirSync(this.projectDir);
    this.env = cliEnvironment({ cli, stateDir: tmp.dir, passphrase: PASSPHRASE });
    fs.writeFileSync(
      path.join(this.projectDir, "Pulumi.yaml"),
      `name: ${EXAMPLE_PROJECT}\nruntime: nodejs\nmain: index.js\n`,
    );
    fs.writeFileSync(
      path.join(this.projectDir, "package.json"),
      JSON.stringify({ name: `cli-${stack}`, private: true }),
    );
    // The repository's node_modules, where the build installs a copy of the package (as a user's
    // npm install does): the program and the provider host resolve it by name from here.
    fs.symlinkSync(path.join(REPO_ROOT, "node_modules"), path.join(this.projectDir, "node_modules"), "dir");
  }

  /** `pulumi stack init` and the stack config that points the provider at the emulator. */
  static async create(cli: PulumiCli, stack: string, emu: RunningEmulator): Promise<CliStack> {
    const s = new CliStack(cli, stack);
    await s.ok(["stack", "init"]);
    await s.ok(["config", "set", "huaweicloud:region", REGIONS.primary.name]);
    await s.ok(["config", "set", "huaweicloud:endpoint", emu.url]);
    await s.ok(["config", "set", "huaweicloud:accessKey", TEST_ACCESS_KEY]);
    await s.ok(["config", "set", "--secret", "huaweicloud:secretKey", TEST_SECRET_KEY]);
    return s;
  }

  writeProgram(resources: ResourceSpec[]): void {
    fs.writeFileSync(path.join(this.projectDir, "index.js"), programText(resources));
  }

  /** Runs `pulumi <args> --stack <stack> --non-interactive`. */
  run(
    args: string[],
    opts: { timeoutMs?: number; onSpawn?: Parameters<typeof runPulumi>[2]["onSpawn"] } = {},
  ) {
    return runPulumi(this.cli, [...args, "--stack", this.stack, "--non-interactive"], {
      cwd: this.projectDir,
      env: this.env,
      ...opts,
    });
  }

  /** Runs and throws (with the CLI's output) unless it exits 0. */
  async ok(args: string[], timeoutMs?: number): Promise<CliResult> {
    const r = await this.run(args, { timeoutMs });
    if (r.code !== 0)
      throw new Error(`pulumi ${args.join(" ")} exited ${r.code ?? r.signal}\n${r.stdout}\n${r.stderr}`);
    return r;
  }

  /** `pulumi stack export` (secrets stay encrypted): the raw text and the parsed deployment. */
  async exportState(): Promise<{ text: string; deployment: ExportedDeployment }> {
    const { stdout } = await this.ok(["stack", "export"]);
    return {
      text: stdout,
      deployment: (JSON.parse(stdout) as { deployment: ExportedDeployment }).deployment,
    };
  }

  /** The stack's dynamic resources in state, by name. */
  async resources(): Promise<Map<string, StateResource>> {
    const { deployment } = await this.exportState();
    return new Map(
      (deployment.resources ?? [])
        .filter((r) => r.type.startsWith("pulumi-nodejs:dynamic"))
        .map((r) => [r.urn.split("::").pop()!, r]),
    );
  }

  /** Destroys whatever a failed test left in the stack (unprotecting it first), then removes the temp dir. */
  async destroyAndClose(): Promise<void> {
    if ((await this.resources().catch(() => new Map())).size > 0) {
      await this.run(["state", "unprotect", "--all", "--yes"]);
      await this.run(["destroy", "--yes", "--skip-preview"]);
    }
    this.cleanupDir();
  }
}

export interface StateResource {
  urn: string;
  type: string;
  id?: string;
  inputs?: Record<string, unknown>;
  outputs?: Record<string, unknown>;
  protect?: boolean;
  retainOnDelete?: boolean;
}

export interface ExportedDeployment {
  resources?: StateResource[];
  pending_operations?: Array<{ resource: StateResource; type: string }>;
}

/** Steps of a `--json` preview: [op, resource name] for the dynamic resources. */
export function previewSteps(stdout: string): Array<[string, string]> {
  const parsed = JSON.parse(stdout) as { steps?: Array<{ op: string; urn: string }> };
  return (parsed.steps ?? [])
    .filter((s) => s.urn.includes("pulumi-nodejs:dynamic"))
    .map((s) => [s.op, s.urn.split("::").pop()!]);
}

/** Changes of an `--event-log` file (not "same") in the order the engine finished them: [op, name]. */
export function eventSteps(file: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const line of fs.readFileSync(file, "utf8").split("\n")) {
    if (!line.trim()) continue;
    const e = JSON.parse(line) as { resOutputsEvent?: { metadata?: { urn?: string; op?: string } } };
    const m = e.resOutputsEvent?.metadata;
    if (m?.urn?.includes("pulumi-nodejs:dynamic") && m.op !== "same")
      out.push([m.op!, m.urn.split("::").pop()!]);
  }
  return out;
}

/** Counted write calls (create, copy, update, delete) of the emulator since the last reset. */
export function writeCalls(emu: RunningEmulator): Record<string, number> {
  return Object.fromEntries(
    Object.entries(emu.counts()).filter(([k]) => /\.(Create|Copy|Update|Delete)/.test(k)),
  );
}

/**
 * From now on: ids of what was created in the emulator and not removed (manual DWS snapshots, EVS
 * snapshots, CBR backups), so seeded fixtures do not count.
 */
export function auditFrom(emu: RunningEmulator): () => string[] {
  const before = stackCreatableIds(emu.world());
  return () => leftovers(before, emu.world()).map((labelled) => labelled.split(":")[1]!);
}
