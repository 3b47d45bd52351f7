/**
 * A BackupPlan's definition and its rules. Every rule is checked when the plan is declared, before
 * any API call, and a broken one fails naming the field: `BackupPlan "warehouse" keep.last: …`.
 * Schemas are built inside functions (none at module scope, as everywhere under provider/).
 */
import { z } from "zod";
import { HuaweiCloudError } from "../client/errors";
import { MINUTE_MS } from "../client/rules";
import { cloudId, regionName, timeouts } from "../resources/rules";
import { parsePlanDuration } from "./period";

/** The longest prefix that keeps every snapshot name within DWS's 64 characters (`<prefix>-<8>-copy-<13>`). */
export const MAX_PREFIX_LENGTH = 36;

/** What is kept: the most recent `last` snapshots, none older than `maxAge` (both limits apply when both are given). */
export interface KeepArgs {
  last?: number;
  /** "30d", "2w", "36h" … measured from the start of the snapshot's period. */
  maxAge?: string;
}

export interface DwsAutomatedCopiesArgs {
  /** The cluster whose automated snapshots are copied to manual ones (kept beyond the automated retention). */
  clusterId: string;
  keep: KeepArgs;
}

export interface ReplicateArgs {
  sourceVaultId: string;
  destinationVaultId: string;
  destinationRegion: string;
  destinationProjectId?: string;
}

export interface BackupPlanDefinition {
  /** The period: one snapshot per target per period ("1d", "12h", "1w"; at least "1m"). */
  every: string;
  keep: KeepArgs;
  evsVolumes?: string[];
  dwsClusters?: string[];
  dwsAutomatedCopies?: DwsAutomatedCopiesArgs | DwsAutomatedCopiesArgs[];
  replicate?: ReplicateArgs;
  /** Region of the volumes, clusters and source vault; defaults to the provider's (`huaweicloud:region`). */
  region?: string;
  /**
   * Starts every snapshot name the plan makes and marks them as the plan's own: a letter, then letters,
   * digits, `-` or `_`, at most 36 characters. Defaults to the plan's name (which must then follow
   * the same rule). Two plans in one project must not share a prefix.
   */
  namePrefix?: string;
  /** The plan's clock: the time the rotation is computed for (ISO 8601 or epoch ms). Defaults to now. */
  now?: string | number | Date;
  /** Timeouts of each snapshot the plan creates or deletes, as the resources take them. */
  timeouts?: { create?: string; update?: string; delete?: string };
}

/** The definition once checked: durations in ms, lists normalised. */
export interface CheckedPlan {
  everyMs: number;
  keep: { last?: number; maxAgeMs?: number };
  evsVolumes: string[];
  dwsClusters: string[];
  dwsAutomatedCopies: { clusterId: string; keep: { last?: number; maxAgeMs?: number } }[];
  replicate?: ReplicateArgs;
  region?: string;
  namePrefix: string;
  now: number;
  timeouts?: { create?: string; update?: string; delete?: string };
}

function duration(min: number, minText: string) {
  return z
    .string({ error: 'must be a duration such as "1d", "12h", "30m" or "2w"' })
    .refine((s) => parsePlanDuration(s) !== undefined, {
      message: 'must be a duration such as "1d", "12h", "30m" or "2w" (units ms, s, m, h, d, w)',
    })
    .refine((s) => (parsePlanDuration(s) ?? min) >= min, { message: `must be at least ${minText}` });
}

function keepSchema() {
  return z
    .strictObject(
      {
        last: z
          .number({ error: "must be a whole number of snapshots" })
          .int("must be a whole number of snapshots")
          .min(1, "must be at least 1: keeping 0 keeps nothing")
          .optional(),
        maxAge: duration(MINUTE_MS, "1m").optional(),
      },
      { error: "must be an object with last and/or maxAge" },
    )
    .refine((k) => k.last !== undefined || k.maxAge !== undefined, {
      message: "keeps nothing: give last (a count) and/or maxAge (a duration)",
    });
}

function unique(what: string) {
  return (list: string[], ctx: z.RefinementCtx) => {
    const seen = new Map<string, number>();
    list.forEach((id, i) => {
      const first = seen.get(id.toLowerCase());
      if (first === undefined) seen.set(id.toLowerCase(), i);
      else
        ctx.addIssue({
          code: "custom",
          path: [i],
          message: `${what} ${id} is listed twice (also at [${first}])`,
        });
    });
  };
}

function planSchema() {
  const copies = z.strictObject({ clusterId: cloudId("DWS cluster"), keep: keepSchema() });
  return z.strictObject({
    every: duration(MINUTE_MS, "1m: one snapshot a minute is the shortest period"),
    keep: keepSchema(),
    evsVolumes: z.array(cloudId("EVS volume")).superRefine(unique("volume")).optional(),
    dwsClusters: z.array(cloudId("DWS cluster")).superRefine(unique("cluster")).optional(),
    dwsAutomatedCopies: z.union([copies, z.array(copies)]).optional(),
    replicate: z
      .strictObject({
        sourceVaultId: cloudId("CBR source vault"),
        destinationVaultId: cloudId("CBR replication vault"),
        destinationRegion: regionName(),
        destinationProjectId: z.string().optional(),
      })
      .optional(),
    region: regionName().optional(),
    namePrefix: z
      .string({ error: "must be a string" })
      .max(
        MAX_PREFIX_LENGTH,
        `must be at most ${MAX_PREFIX_LENGTH} characters (snapshot names are limited to 64)`,
      )
      .regex(
        /^[A-Za-z][A-Za-z0-9_-]*$/,
        'must start with a letter and contain only letters, digits, "-" and "_"',
      ),
    now: z
      .union([z.string(), z.number(), z.date()], { error: "must be a time: ISO 8601, epoch ms or a Date" })
      .refine((t) => Number.isFinite(new Date(t).getTime()), { message: "must be a valid time" })
      .optional(),
    timeouts: timeouts(),
  });
}

/**
 * Checks a definition; throws one HuaweiCloudError (kind "input") listing every broken rule, each
 * naming its field. `defaultRegion` is the provider's region, for the plan's `region` when unset.
 */
export function checkPlan(planName: string, def: BackupPlanDefinition, defaultRegion?: string): CheckedPlan {
  const parsed = planSchema().safeParse({ ...def, namePrefix: def.namePrefix ?? planName });
  const failures = parsed.success
    ? []
    : parsed.error.issues.map((i) => `${i.path.map(String).join(".") || "(definition)"}: ${i.message}`);
  if (!def.evsVolumes?.length && !def.dwsClusters?.length && !def.dwsAutomatedCopies && !def.replicate) {
    failures.push(
      "(definition): backs up nothing: give evsVolumes, dwsClusters, dwsAutomatedCopies or replicate",
    );
  }
  const region = def.region ?? defaultRegion;
  if (def.replicate && region && def.replicate.destinationRegion === region) {
    failures.push(
      `replicate.destinationRegion: must differ from the source region ${region}: replication goes to another region`,
    );
  }
  if (parsed.success) {
    const copies = parsed.data.dwsAutomatedCopies;
    const list = copies === undefined ? [] : Array.isArray(copies) ? copies : [copies];
    list.forEach((c, i) => {
      if (list.findIndex((o) => o.clusterId.toLowerCase() === c.clusterId.toLowerCase()) !== i) {
        failures.push(`dwsAutomatedCopies[${i}].clusterId: cluster ${c.clusterId} is listed twice`);
      }
    });
    const everyMs = parsePlanDuration(parsed.data.every)!;
    const maxAge = parsed.data.keep.maxAge ? parsePlanDuration(parsed.data.keep.maxAge)! : undefined;
    if (maxAge !== undefined && maxAge < everyMs) {
      failures.push(
        `keep.maxAge: keeps nothing of a past period: ${parsed.data.keep.maxAge} is shorter than every (${parsed.data.every})`,
      );
    }
  }
  if (failures.length > 0 || !parsed.success) {
    throw new HuaweiCloudError(`invalid definition:\n  ${failures.join("\n  ")}`, {
      kind: "input",
      resource: `BackupPlan "${planName}"`,
      hint: "Fix the definition; nothing was called or changed.",
    });
  }
  const d = parsed.data;
  const keepOf = (k: { last?: number; maxAge?: string }) => ({
    last: k.last,
    maxAgeMs: k.maxAge === undefined ? undefined : parsePlanDuration(k.maxAge),
  });
  const copies = d.dwsAutomatedCopies === undefined ? [] : [d.dwsAutomatedCopies].flat();
  return {
    everyMs: parsePlanDuration(d.every)!,
    keep: keepOf(d.keep),
    evsVolumes: d.evsVolumes ?? [],
    dwsClusters: d.dwsClusters ?? [],
    dwsAutomatedCopies: copies.map((c) => ({ clusterId: c.clusterId, keep: keepOf(c.keep) })),
    replicate: d.replicate,
    region: d.region,
    namePrefix: d.namePrefix,
    now: d.now === undefined ? Date.now() : new Date(d.now).getTime(),
    timeouts: d.timeouts,
  };
}
