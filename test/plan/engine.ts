/**
 * Rotation days through the engine-level harness: the example backup-plan program captured with the
 * real SDK (its lookups run against the emulator, as in a preview or an up), then the difference to
 * the previous day's state applied through the real dynamic provider host, as the engine does it:
 * new children created, removed children deleted, kept children diffed (and expected unchanged).
 */
import * as path from "node:path";
import { REGIONS } from "../../emulator/defaults";
import type { RunningEmulator } from "../../emulator/index";
import {
  type CapturedResource,
  capture,
  Deployment,
  isDynamic,
  type ProviderHost,
  type ResourceState,
} from "../../scripts/engine";
import { STACK } from "../engine/example";
import { EXAMPLE_PROJECT, REPO_ROOT, TEST_ACCESS_KEY, TEST_SECRET_KEY } from "../engine/helpers";

export const PLAN_PROGRAM = path.join(REPO_ROOT, "dist", "examples", "backup-plan.js");

/** The program's config: the plan's clock and retention, and the stack's Huawei Cloud settings. */
export function planConfig(emu: RunningEmulator, plan: Record<string, string>): Record<string, string> {
  return {
    "huaweicloud:region": REGIONS.primary.name,
    "huaweicloud:endpoint": emu.url,
    "huaweicloud:accessKey": TEST_ACCESS_KEY,
    "huaweicloud:secretKey": TEST_SECRET_KEY,
    ...Object.fromEntries(Object.entries(plan).map(([k, v]) => [`${EXAMPLE_PROJECT}:${k}`, v])),
  };
}

export async function capturePlan(
  emu: RunningEmulator,
  plan: Record<string, string>,
  preview = false,
): Promise<CapturedResource[]> {
  const { resources } = await capture({
    program: PLAN_PROGRAM,
    project: EXAMPLE_PROJECT,
    stack: STACK,
    cwd: REPO_ROOT,
    config: planConfig(emu, plan),
    secretKeys: ["huaweicloud:secretKey"],
    preview,
  });
  return resources.filter(isDynamic);
}

export interface DayResult {
  /** What a preview showed (without one, what the up declared): names of children to create and to delete. */
  preview: { creates: string[]; deletes: string[] };
  created: string[];
  deleted: string[];
  /** Kept children whose diff showed a change (expected none). */
  changed: string[];
  failures: string[];
}

const names = (urns: Iterable<string>, state: Map<string, { name: string }>) =>
  [...urns].map((u) => state.get(u)?.name ?? u.split("::").pop()!).sort();

/** One `pulumi up` of the plan on top of `state` (mutated to the new state). */
export async function upDay(
  host: ProviderHost,
  emu: RunningEmulator,
  state: Map<string, ResourceState>,
  plan: Record<string, string>,
  opts: { preview?: boolean } = {},
): Promise<DayResult> {
  // A capture takes seconds on a loaded machine: the preview is run where a test asks for it.
  const [captured, declared] = await Promise.all([
    opts.preview === false ? undefined : capturePlan(emu, plan, true),
    capturePlan(emu, plan),
  ]);
  const previewed = captured ?? declared;
  const byUrn = new Map(declared.map((r) => [r.urn, r]));
  const previewUrns = new Set(previewed.map((r) => r.urn));
  const preview = {
    creates: previewed
      .filter((r) => !state.has(r.urn))
      .map((r) => r.name)
      .sort(),
    deletes: names(
      [...state.keys()].filter((u) => !previewUrns.has(u)),
      state,
    ),
  };
  const failures: string[] = [];
  const changed: string[] = [];

  // Kept: check and diff as the engine does (old outputs vs new checked inputs); nothing should change.
  for (const [u, s] of state) {
    const r = byUrn.get(u);
    if (!r) continue;
    const checked = await host.check(u, s.inputs, r.inputs);
    if (checked.failures.length) failures.push(`${r.name}: ${JSON.stringify(checked.failures)}`);
    const diff = await host.diff(u, s.id, s.outputs, checked.inputs, s.inputs);
    if (diff.changes !== "none") changed.push(`${r.name}: ${diff.changes} ${diff.replaces.join(",")}`);
    else state.set(u, { ...s, inputs: checked.inputs });
  }

  // Created: new children.
  const up = new Deployment({ host, resources: declared });
  for (const [u, s] of state) up.state.set(u, s);
  const createdReports = await up.up();
  for (const rep of createdReports) if (rep.status !== "ok") failures.push(`${rep.name}: ${rep.error}`);

  // Deleted: children no longer declared, removed from the cloud and from state.
  const removed = [...state.keys()].filter((u) => !byUrn.has(u));
  const gone = new Deployment({ host, resources: [] });
  for (const u of removed) gone.state.set(u, state.get(u)!);
  const deletedReports = await gone.destroy();
  for (const rep of deletedReports) if (rep.status !== "ok") failures.push(`${rep.name}: ${rep.error}`);

  const created = createdReports
    .filter((r) => r.status === "ok")
    .map((r) => r.name)
    .sort();
  const deleted = deletedReports
    .filter((r) => r.status === "ok")
    .map((r) => r.name)
    .sort();
  state.clear();
  for (const [u, s] of up.state) if (!removed.includes(u) || gone.state.has(u)) state.set(u, s);
  return { preview, created, deleted, changed, failures };
}
