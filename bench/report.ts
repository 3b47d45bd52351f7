/** The benchmark's results: their shape, the targets of issue 7, and the tables and chart. */
import type { DetectionCell, DetectionResult } from "./detection";
import { checkModels, METHOD_LABELS, type MODEL_METHODS, type ModelCheck, type ModelsResult } from "./models";
import type { OverheadResult } from "./overhead";
import type { ScaleRun } from "./scale";
import { round } from "./stats";
import { KINDS, type Kind } from "./world";

export interface BenchResults {
  version: 1;
  mode: "full" | "quick";
  command: string;
  startedAt: string;
  finishedAt: string;
  wallSeconds: number;
  environment: {
    node: string;
    platform: string;
    cpus: number;
    cpuModel: string;
    memoryGb: number;
    /** The machine's 1-minute load average when the run started and ended (other work shares the CPUs). */
    load?: { start: number; end: number };
  };
  settings: {
    detection: { durationsMs: number[]; samples: number; cadenceScale: number };
    models: { durationsMs: number[]; samples: number };
    scale: { sizes: number[]; scenarios: string[]; rateLimitPerSecond: number; operationMs: number };
    overhead: { repetitions: number; readRepetitions: number; packed: boolean; kinds: Kind[] };
  };
  detection: DetectionResult | undefined;
  /** Detection under every progress model, on a virtual clock (bench/models.ts). */
  models: ModelsResult | undefined;
  scale: ScaleRun[] | undefined;
  overhead: OverheadResult | undefined;
  /** Peak resident set of the whole bench process (emulator, provider and harness), MB. */
  processPeakRssMb: number;
  /** Failed creates, reads and deletes, and resources left behind: non-zero means a broken run. */
  failures: number;
  targets: TargetCheck[];
}

export interface TargetCheck {
  area: "detection" | "models" | "scale" | "overhead";
  what: string;
  target: string;
  measured: string;
  /** null: could not be judged (not measured). */
  met: boolean | null;
}

const SHORT: Record<Kind, string> = {
  EvsSnapshot: "EvsSnapshot",
  DwsSnapshot: "DwsSnapshot",
  DwsSnapshotCopy: "DwsSnapshotCopy",
  CbrReplication: "CbrReplication",
};

const s = (ms: number, digits = 2) => (Number.isFinite(ms) ? `${(ms / 1000).toFixed(digits)} s` : "–");
const PROVIDER_LIMIT_BYTES = 2048;

/** The delay target of issue 7: the larger of 0.5 s and 5% of D. */
export function delayTargetMs(durationMs: number): number {
  return Math.max(500, 0.05 * durationMs);
}

function cell(
  r: BenchResults,
  kind: Kind,
  d: number,
  method: "ours" | "baseline",
): DetectionCell | undefined {
  return r.detection?.cells.find((c) => c.kind === kind && c.durationMs === d && c.method === method);
}

/** Issue 7's detection target for one resource and D. */
function detectionMet(ours: DetectionCell, base: DetectionCell): boolean {
  return (
    ours.failures === 0 &&
    ours.medianDelayMs <= delayTargetMs(ours.durationMs) &&
    ours.medianCalls <= base.medianCalls + 3
  );
}

/** Issue 7's scale target for one phase: no failure, nothing left behind, within 1.5 × the bound. */
function scaleMet(run: ScaleRun, phase: "create" | "delete"): boolean {
  const p = run[phase];
  return p.failures === 0 && run.leftovers === 0 && p.wallMs <= 1.5 * p.lowerBoundMs;
}

export function evaluateTargets(r: BenchResults): TargetCheck[] {
  const out: TargetCheck[] = [];
  for (const d of r.settings.detection.durationsMs) {
    for (const kind of KINDS) {
      const ours = cell(r, kind, d, "ours");
      const base = cell(r, kind, d, "baseline");
      if (!ours || !base) continue;
      out.push({
        area: "detection",
        what: `${kind}, D = ${d / 1000} s`,
        target: `median delay ≤ ${s(delayTargetMs(d), 1)}, calls ≤ baseline + 3 (${base.medianCalls + 3})`,
        measured: `${s(ours.medianDelayMs)}, ${ours.medianCalls} calls`,
        met: detectionMet(ours, base),
      });
    }
  }
  if (r.models) {
    for (const c of checkModels(r.models)) {
      out.push({
        area: "models",
        what: `${c.model}, D = ${dur(c.durationMs)}`,
        target: `median ≤ ${s(c.delayBoundMs, 1)}, p90 ≤ ${s(2 * c.delayBoundMs, 1)}, calls ≤ ${c.callBudget}, never early`,
        measured: `${s(c.ours.medianDelayMs)} / ${s(c.ours.p90DelayMs)}, ${c.ours.maxCalls} calls (max)`,
        met: Object.values(c.met).every(Boolean),
      });
    }
  }
  for (const run of r.scale ?? []) {
    for (const phase of ["create", "delete"] as const) {
      const p = run[phase];
      out.push({
        area: "scale",
        what: `${run.scenario === "evs" ? "EVS only" : "mix of four"}, N = ${run.n}, ${phase}`,
        target: `0 failures, wall ≤ 1.5 × ${s(p.lowerBoundMs, 1)} = ${s(1.5 * p.lowerBoundMs, 1)}`,
        measured: `${p.failures} failures, ${s(p.wallMs, 1)} (${p.ratio.toFixed(2)} ×)`,
        met: scaleMet(run, phase),
      });
    }
  }
  const o = r.overhead;
  if (o) {
    for (const [form, sizes] of [
      ["repository", o.providerBytes.repository],
      ["installed package", o.providerBytes.installed],
    ] as const) {
      const values = sizes ? Object.values(sizes) : [];
      const largest = values.length ? Math.max(...values) : undefined;
      out.push({
        area: "overhead",
        what: `__provider (${form})`,
        target: `< ${PROVIDER_LIMIT_BYTES} bytes`,
        measured: largest === undefined ? "not measured" : `${largest} bytes (largest of the four)`,
        met: largest === undefined ? null : largest < PROVIDER_LIMIT_BYTES,
      });
    }
  }
  return out;
}

function table(head: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(" | ")} |`;
  return [line(head), line(head.map(() => "---")), ...rows.map(line)].join("\n");
}

const mark = (met: boolean | null) => (met === null ? "n/a" : met ? "met" : "**missed**");

function detectionTable(r: BenchResults): string {
  const det = r.detection;
  if (!det) return "_not run_";
  const rows: string[][] = [];
  for (const d of r.settings.detection.durationsMs) {
    for (const kind of KINDS) {
      const ours = cell(r, kind, d, "ours");
      const base = cell(r, kind, d, "baseline");
      if (!ours || !base) continue;
      rows.push([
        SHORT[kind],
        `${d / 1000} s`,
        `${s(ours.medianDelayMs)} / ${s(ours.p95DelayMs)}`,
        `${ours.medianCalls} (max ${ours.maxCalls})`,
        `${s(base.medianDelayMs)} / ${s(base.p95DelayMs)}`,
        `${base.medianCalls} (max ${base.maxCalls})`,
        `${ours.failures + base.failures}`,
        `≤ ${s(delayTargetMs(d), 1)}, ≤ ${base.medianCalls + 3} calls: ${mark(detectionMet(ours, base))}`,
      ]);
    }
  }
  return table(
    [
      "Resource",
      "D",
      "Ours: delay median / p95",
      "Ours: calls",
      "Baseline: delay median / p95",
      "Baseline: calls",
      "Failures",
      "Target",
    ],
    rows,
  );
}

/** "2 s", "10 min", "4 h". */
function dur(ms: number): string {
  if (ms >= 3_600_000) return `${round(ms / 3_600_000, 1)} h`;
  if (ms >= 120_000) return `${round(ms / 60_000, 1)} min`;
  return `${round(ms / 1000, 1)} s`;
}

const secs = (ms: number) =>
  !Number.isFinite(ms) ? "–" : ms < 10_000 ? `${(ms / 1000).toFixed(2)} s` : `${(ms / 1000).toFixed(0)} s`;

function missed(c: ModelCheck): string {
  const names = Object.entries(c.met)
    .filter(([, ok]) => !ok)
    .map(([k]) => (k === "neverEarly" ? "returned early" : k));
  return names.length ? `**missed: ${names.join(", ")}**` : "met";
}

/** Every model × D: ours beside the three baselines, with issue 14's targets. */
function modelsTable(r: BenchResults): string {
  const m = r.models;
  if (!m) return "_not run_";
  const checks = checkModels(m);
  const find = (c: ModelCheck, method: (typeof MODEL_METHODS)[number]) =>
    m.cells.find((x) => x.model === c.model && x.durationMs === c.durationMs && x.method === method);
  const rows = checks.map((c) => {
    const others = (["terraform10", "terraform30", "awsSdk"] as const).map((method) => {
      const x = find(c, method);
      return x ? `${secs(x.medianDelayMs)}, ${x.medianCalls}` : "–";
    });
    return [
      c.model,
      dur(c.durationMs),
      `${secs(c.ours.medianDelayMs)} / ${secs(c.ours.p90DelayMs)}`,
      `${c.ours.medianCalls} (max ${c.ours.maxCalls})`,
      ...others,
      `≤ ${secs(c.delayBoundMs)}, ≤ ${c.callBudget} calls: ${missed(c)}`,
    ];
  });
  return table(
    [
      "Progress",
      "D",
      "Ours: delay median / p90",
      "Ours: calls",
      `${METHOD_LABELS.terraform10}: median delay, calls`,
      `${METHOD_LABELS.terraform30}: median delay, calls`,
      `${METHOD_LABELS.awsSdk}: median delay, calls`,
      "Target (issue 14)",
    ],
    rows,
  );
}

/** How many model × D cells meet every one of issue 14's targets, counted from the checks. */
export function modelsTally(m: ModelsResult): { met: number; cells: number; missed: string[] } {
  const checks = checkModels(m);
  const missedCells = checks.filter((c) => !Object.values(c.met).every(Boolean));
  return {
    met: checks.length - missedCells.length,
    cells: checks.length,
    missed: missedCells.map((c) => `${c.model} at ${dur(c.durationMs)} (${missed(c).replace(/\*\*/g, "")})`),
  };
}

function modelsNote(r: BenchResults): string {
  const m = r.models;
  if (!m) return "";
  const { met, cells } = modelsTally(m);
  return (
    `${r.settings.models.samples} samples per cell, each an operation of D × (1 ± ${m.jitter * 100}%) spread evenly, ` +
    "the same timelines for every method. Simulated: the clock is virtual (hours cannot run in a benchmark); the " +
    "progress is the emulator's own model (`progressOf`, what its DWS, EVS and CBR views render), parsed by the " +
    "provider's `parsePercent`; our side is the provider's `waitFor` itself. No HTTP in this part. Calls include " +
    `the create's POST. Targets met in ${met} of ${cells} cells.`
  );
}

/** The README's pivot: median delay and calls per model and D, the baselines below. */
function modelsSummary(r: BenchResults): string {
  const m = r.models;
  if (!m) return "";
  const ds = r.settings.models.durationsMs;
  const at = (model: string, d: number, method: string) =>
    m.cells.find((x) => x.model === model && x.durationMs === d && x.method === method);
  const models = [...new Set(m.cells.map((c) => c.model))];
  const row = (label: string, model: string, method: string) => [
    label,
    ...ds.map((d) => {
      const c = at(model, d, method);
      return c ? `${secs(c.medianDelayMs)} · ${c.medianCalls}` : "–";
    }),
  ];
  const rows = [
    ...models.map((model) => row(`ours, ${model}`, model, "ours")),
    ...(["terraform10", "terraform30", "awsSdk"] as const).map((method) =>
      row(`${METHOD_LABELS[method]} (any progress)`, models[0]!, method),
    ),
  ];
  const { met, cells } = modelsTally(m);
  return [
    table(["Median delay · calls (virtual clock)", ...ds.map(dur)], rows),
    "",
    `Issue 14's targets met in ${met} of ${cells} model × D cells${met < cells ? " (the misses are listed in latest.md)" : ""}.`,
  ].join("\n");
}

function cadenceLines(r: BenchResults): string {
  const det = r.detection;
  if (!det) return "";
  const scale = r.settings.detection.cadenceScale;
  return KINDS.map((k) => {
    const c = det.cadences[k];
    return `- ${k}: first poll after ${s(c.delayMs, 1)}, then every ${s(c.intervalMs, 1)} — ${c.source}${scale !== 1 ? ` (scaled × ${scale} in quick mode)` : ""}`;
  }).join("\n");
}

/** Where D is a whole number of the baseline's steps, its poll lands just after completion. */
function alignmentNote(r: BenchResults): string {
  const det = r.detection;
  if (!det) return "";
  const aligned: string[] = [];
  for (const d of r.settings.detection.durationsMs) {
    for (const k of KINDS) {
      const c = det.cadences[k];
      const k0 = (d - c.delayMs) / c.intervalMs;
      if (d >= c.delayMs && Math.abs(k0 - Math.round(k0)) < 1e-9) aligned.push(`${k} at D = ${d / 1000} s`);
    }
  }
  const halves = KINDS.map((k) => `${k} ${s(det.cadences[k].intervalMs / 2, 1)}`).join(", ");
  return (
    (aligned.length
      ? `Where D falls exactly on one of the baseline's polls (${aligned.join("; ")}), that poll comes a few ` +
        "milliseconds after completion, so the baseline's delay there is near zero by coincidence of the " +
        "chosen D. "
      : "") +
    `For an operation whose duration falls anywhere between two polls, the baseline's expected delay is half ` +
    `its interval (${halves}), and up to a whole interval; ours polls when progress says the operation ends, not on a grid.`
  );
}

function opsLine(r: BenchResults): string {
  const det = r.detection;
  if (!det) return "";
  const lines: string[] = [];
  const d = Math.max(...r.settings.detection.durationsMs);
  for (const kind of KINDS) {
    for (const method of ["ours", "baseline"] as const) {
      const c = cell(r, kind, d, method);
      if (!c || c.perSample.length === 0) continue;
      const per = Object.entries(c.ops)
        .map(([op, n]) => `${op} ${round(n / c.perSample.length, 1)}`)
        .join(", ");
      lines.push(`- ${kind}, ${method}: ${per}`);
    }
  }
  const checks = det.phases
    .map(
      (p) =>
        `D = ${p.durationMs / 1000} s: emulator counted ${p.emulatorCalls}, client logged ${p.loggedCalls}` +
        (Object.keys(p.unattributed).length ? ` (unattributed: ${JSON.stringify(p.unattributed)})` : ""),
    )
    .join("; ");
  return `Calls per create by operation at D = ${d / 1000} s (mean over samples):\n\n${lines.join("\n")}\n\nCall accounting (every call is attributed to its sample client-side, and the totals are checked against the emulator's counts()): ${checks}.`;
}

function scaleTable(r: BenchResults): string {
  if (!r.scale) return "_not run_";
  const rows = r.scale.flatMap((run) =>
    (["create", "delete"] as const).map((phase) => {
      const p = run[phase];
      return [
        run.scenario === "evs" ? "EVS only" : "mix of four",
        String(run.n),
        phase,
        s(p.wallMs, 1),
        s(p.lowerBoundMs, 1),
        `${p.ratio.toFixed(2)} ×`,
        `${s(p.busiestEndpointBoundMs, 1)} (${(p.wallMs / p.busiestEndpointBoundMs).toFixed(2)} ×)`,
        String(p.requests),
        `${p.throttledByEmulator} / ${p.client.throttled}`,
        String(p.client.retries),
        String(p.failures + (phase === "delete" ? run.leftovers : 0)),
        `${run.peakRssMb} MB`,
        mark(scaleMet(run, phase)),
      ];
    }),
  );
  return table(
    [
      "Resources",
      "N",
      "Phase",
      "Wall time",
      "Lower bound D + 2N/R",
      "Ratio",
      "Busiest-endpoint bound",
      "API calls",
      "Throttled (emulator / client)",
      "Retries",
      "Failures",
      "Peak RSS",
      "Target ≤ 1.5 ×",
    ],
    rows,
  );
}

function overheadSection(r: BenchResults): string {
  const o = r.overhead;
  if (!o) return "_not run_";
  const sizeRows = KINDS.map((k) => [
    k,
    o.providerBytes.repository[k] === undefined ? "–" : `${o.providerBytes.repository[k]} B`,
    o.providerBytes.installed?.[k] === undefined ? "–" : `${o.providerBytes.installed[k]} B`,
  ]);
  const ms = (v: number) => (Number.isFinite(v) ? `${v.toFixed(1)} ms` : "–");
  const latRows = o.latency.map((l) => [
    l.kind,
    `${ms(l.grpc.create.medianMs)} / ${ms(l.grpc.create.p95Ms)}`,
    `${ms(l.inProcess.create.medianMs)}`,
    `${ms(l.grpc.read.medianMs)} / ${ms(l.grpc.read.p95Ms)}`,
    `${ms(l.inProcess.read.medianMs)}`,
    `${ms(l.grpc.delete.medianMs)}`,
    `${ms(l.grpc.create.medianMs - l.inProcess.create.medianMs)} / ${ms(l.grpc.read.medianMs - l.inProcess.read.medianMs)}`,
  ]);
  const installed = o.providerBytes.installedText
    ? `\n\nThe installed form of \`__provider\` (EvsSnapshot):\n\n\`\`\`js\n${o.providerBytes.installedText}\n\`\`\``
    : "";
  return [
    table(["Resource", "`__provider`, from the repository", "`__provider`, installed package"], sizeRows),
    "",
    `Installed form: ${o.providerBytes.installedNote}. A stack that installs the package stores the installed ` +
      "form: a bare require of the resource kind. From the repository (or any copy outside node_modules, " +
      "e.g. `npm link`) Pulumi serializes the shim's seven methods by value instead." +
      installed,
    "",
    `Provider host: started in ${o.host.startMs} ms; example captured in ${o.host.captureMs} ms. ` +
      `Latency with every emulator timing at 0 (${r.settings.overhead.repetitions} creates and deletes, ` +
      `${r.settings.overhead.repetitions * r.settings.overhead.readRepetitions} reads per resource):`,
    "",
    table(
      [
        "Resource",
        "Create over gRPC: median / p95",
        "Create in-process",
        "Read over gRPC: median / p95",
        "Read in-process",
        "Delete over gRPC",
        "Host share (create / read)",
      ],
      latRows,
    ),
    o.errors.length ? `\nErrors: ${o.errors.join("; ")}` : "",
  ].join("\n");
}

function targetsTable(r: BenchResults): string {
  return table(
    ["Area", "What", "Target", "Measured", "Result"],
    r.targets.map((t) => [t.area, t.what, t.target, t.measured, mark(t.met)]),
  );
}

/** ", load average 1.2 → 0.3" when recorded: timings depend on what else ran on the machine. */
function loadText(r: BenchResults): string {
  const l = r.environment.load;
  return l ? `, load average ${l.start.toFixed(2)} at the start, ${l.end.toFixed(2)} at the end` : "";
}

function header(r: BenchResults): string {
  const sc = r.settings.scale;
  return [
    `Command: \`${r.command}\` (${r.mode} mode) — ${r.startedAt}, ${r.wallSeconds} s wall.`,
    `Machine: ${r.environment.cpus} × ${r.environment.cpuModel}, ${r.environment.memoryGb} GB, Node ${r.environment.node}, ${r.environment.platform}${loadText(r)}.`,
    `Emulator in-process on 127.0.0.1. Detection: ${r.settings.detection.samples} samples per cell, jitter 0. ` +
      `Scale: R = ${sc.rateLimitPerSecond} requests/s per endpoint (service + region), D = ${s(sc.operationMs, 0)} for every create and delete.`,
    `Failures: ${r.failures}. Peak RSS of the bench process: ${r.processPeakRssMb} MB.`,
  ].join("\n");
}

/** The terminal's summary line under the models table: the count, and the cells missed. */
function modelsTallyLine(r: BenchResults): string {
  if (!r.models) return "";
  const t = modelsTally(r.models);
  return `${t.met} of ${t.cells} cells meet issue 14's targets${t.missed.length ? `; missed: ${t.missed.join("; ")}` : ""}.`;
}

export function renderTerminal(r: BenchResults): string {
  return [
    "",
    header(r),
    "",
    "Completion detection (delay from the emulator finishing to create returning):",
    detectionTable(r),
    "",
    "Detection under every progress model (virtual clock):",
    modelsTable(r),
    modelsTallyLine(r),
    "",
    "Scale:",
    scaleTable(r),
    "",
    "Overhead:",
    overheadSection(r),
    "",
    "Targets:",
    targetsTable(r),
    "",
  ].join("\n");
}

export function renderMarkdown(r: BenchResults): string {
  return `# Benchmark results

${header(r)}

## Targets

${targetsTable(r)}

## 1. Completion detection

The delay from the moment the emulator finishes a create (its model's \`completesAt\`) to the
moment the provider's \`create\` returns, and the API calls each create made (the POST included),
for our waiter and for a baseline that polls like the Terraform provider:

${cadenceLines(r)}

${detectionTable(r)}

${alignmentNote(r)}

![Median detection delay, ours beside the baseline](detection.svg)

${opsLine(r)}

## 1b. Detection under every progress model

${modelsNote(r)}

${modelsTable(r)}

## 2. Scale

${scaleTable(r)}

## 3. Overhead

${overheadSection(r)}
`;
}

/** A grouped bar chart of the median detection delay, ours beside the baseline, by hand. */
export function renderSvg(r: BenchResults): string {
  const durations = r.settings.detection.durationsMs;
  const groups = durations.flatMap((d) => KINDS.map((k) => ({ d, k })));
  const W = 60;
  const left = 56;
  const top = 40;
  const plotH = 240;
  const width = left + groups.length * W + 20;
  const height = top + plotH + 90;
  const values = groups.flatMap((g) => [
    cell(r, g.k, g.d, "ours")?.medianDelayMs ?? 0,
    cell(r, g.k, g.d, "baseline")?.medianDelayMs ?? 0,
  ]);
  const maxS = Math.max(1, Math.ceil(Math.max(...values, 0) / 1000 / 5) * 5);
  const y = (ms: number) => top + plotH - (Math.max(0, ms) / 1000 / maxS) * plotH;
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${left}" y="20" font-size="13" font-weight="bold">Median delay from completion to create returning (s)</text>`,
  );
  for (let t = 0; t <= maxS; t += maxS / 5) {
    parts.push(
      `<line x1="${left}" x2="${width - 20}" y1="${y(t * 1000)}" y2="${y(t * 1000)}" stroke="#ddd"/>`,
      `<text x="${left - 6}" y="${y(t * 1000) + 4}" text-anchor="end">${round(t, 1)}</text>`,
    );
  }
  groups.forEach((g, i) => {
    const x0 = left + i * W + 8;
    const ours = cell(r, g.k, g.d, "ours")?.medianDelayMs ?? 0;
    const base = cell(r, g.k, g.d, "baseline")?.medianDelayMs ?? 0;
    for (const [j, v, color] of [
      [0, ours, "#2b7bb9"],
      [1, base, "#c8553d"],
    ] as const) {
      const x = x0 + j * 22;
      parts.push(
        `<rect x="${x}" y="${y(v)}" width="20" height="${Math.max(0.5, top + plotH - y(v))}" fill="${color}"/>`,
        `<text x="${x + 10}" y="${y(v) - 3}" text-anchor="middle" font-size="9">${(v / 1000).toFixed(v < 1000 ? 2 : 0)}</text>`,
      );
    }
    const label = g.k.replace("Snapshot", "").replace("Replication", "") || g.k;
    parts.push(
      `<text x="${x0 + 21}" y="${top + plotH + 14}" text-anchor="middle">${label}</text>`,
      `<text x="${x0 + 21}" y="${top + plotH + 27}" text-anchor="middle" fill="#555">D=${g.d / 1000}s</text>`,
    );
  });
  const ly = top + plotH + 50;
  parts.push(
    `<rect x="${left}" y="${ly}" width="12" height="12" fill="#2b7bb9"/><text x="${left + 16}" y="${ly + 10}">ours (progress-aware waiter)</text>`,
    `<rect x="${left + 200}" y="${ly}" width="12" height="12" fill="#c8553d"/><text x="${left + 216}" y="${ly + 10}">baseline (Terraform cadence${r.settings.detection.cadenceScale !== 1 ? `, × ${r.settings.detection.cadenceScale}` : ""})</text>`,
    "</svg>",
  );
  return `${parts.join("\n")}\n`;
}

/** The short form for the README: the targets at a glance and the command that produced them. */
export function renderSummary(r: BenchResults): string {
  const rows: string[][] = [];
  for (const d of r.settings.detection.durationsMs) {
    for (const kind of KINDS) {
      const ours = cell(r, kind, d, "ours");
      const base = cell(r, kind, d, "baseline");
      if (!ours || !base) continue;
      rows.push([
        `${kind}, D = ${d / 1000} s`,
        `${s(ours.medianDelayMs)}, ${ours.medianCalls} calls`,
        `${s(base.medianDelayMs)}, ${base.medianCalls} calls`,
      ]);
    }
  }
  const scaleRows = (r.scale ?? []).map((run) => [
    `${run.scenario === "evs" ? "EVS only" : "mix of four"}, N = ${run.n}`,
    `${s(run.create.wallMs, 1)} (${run.create.ratio.toFixed(2)} ×)`,
    `${s(run.delete.wallMs, 1)} (${run.delete.ratio.toFixed(2)} ×)`,
    `${run.create.throttledByEmulator + run.delete.throttledByEmulator}`,
    `${run.create.failures + run.delete.failures + run.leftovers}`,
    `${run.peakRssMb} MB`,
  ]);
  const o = r.overhead;
  const sizes = (m: Partial<Record<Kind, number>> | null | undefined) =>
    m && Object.values(m).length ? `${Math.max(...Object.values(m))} B` : "not measured";
  const evsLatency = o?.latency.find((l) => l.kind === "EvsSnapshot");
  return [
    `Measured with \`${r.command}\` on ${r.startedAt.slice(0, 10)} (${r.environment.cpus} CPUs, Node ${r.environment.node}${loadText(r)}); ` +
      `full tables in [bench/results/latest.md](bench/results/latest.md), method in [docs/bench.md](docs/bench.md).`,
    "",
    table(
      ["Completion detection", "Ours: median delay, calls", "Terraform cadence: median delay, calls"],
      rows,
    ),
    "",
    modelsSummary(r),
    "",
    table(
      [
        `Scale, R = ${r.settings.scale.rateLimitPerSecond}/s, D = ${r.settings.scale.operationMs / 1000} s`,
        "Create (× D + 2N/R)",
        "Delete (× D + 2N/R)",
        "Throttled",
        "Failures",
        "Peak RSS",
      ],
      scaleRows,
    ),
    "",
    o
      ? `\`__provider\`: ${sizes(o.providerBytes.installed)} installed, ${sizes(o.providerBytes.repository)} from the repository. ` +
        (evsLatency
          ? `Through the provider host over gRPC, an EvsSnapshot create that completes at once takes ${evsLatency.grpc.create.medianMs.toFixed(0)} ms ` +
            `and a read ${evsLatency.grpc.read.medianMs.toFixed(1)} ms (median).`
          : "")
      : "",
  ].join("\n");
}
