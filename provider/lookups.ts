/**
 * Lookups: read-only functions a program calls to find snapshots and backups that exist —
 * `getDwsSnapshots`, `getEvsSnapshots`, `getCbrBackups`, each as a promise and as an output
 * (`…Output`), as Pulumi's own lookups are. They run in the program (so also during `pulumi
 * preview`), with the provider's settings and credentials read the same way (stack config
 * `huaweicloud:*`, then the environment), and through the same client and services as the resources.
 * Every page of a list is followed. Results carry the resources' output field names.
 */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { HuaweiCloudError } from "./client/errors";
import type { HuaweiClient } from "./client/types";
import { dwsSnapshotOutputs } from "./resources/dws";
import { evsSnapshotOutputs } from "./resources/evs";
import { clientForCall, regionFor } from "./resources/framework";
import { whenIso } from "./resources/lifecycle";
import { cloudId, regionName } from "./resources/rules";
import { type Backup, cbrApi } from "./services/cbr";
import { type DwsSnapshotDetail, dwsApi } from "./services/dws";
import { type EvsSnapshotDetail, evsApi } from "./services/evs";

/** Filters every lookup takes. Times are ISO 8601; a name filter is a prefix or a regular expression. */
export interface CommonLookupArgs {
  /** Only these statuses (as the service writes them: AVAILABLE, available …), case-insensitively. */
  status?: string | string[];
  namePrefix?: string;
  /** A regular expression the whole name must match, e.g. "^nightly-\\d{8}$". */
  nameRegex?: string;
  /** Created at or after this time (ISO 8601). */
  createdAfter?: string;
  /** Created before this time (ISO 8601). */
  createdBefore?: string;
  /** Pick the most recently created one; no match is then an error naming the filters. */
  mostRecent?: boolean;
  /** Defaults to the provider's region (`huaweicloud:region`). */
  region?: string;
}

export interface GetDwsSnapshotsArgs extends CommonLookupArgs {
  clusterId?: string;
  /** "manual" or "automated". */
  type?: "manual" | "automated";
}

export interface GetEvsSnapshotsArgs extends CommonLookupArgs {
  volumeId?: string;
}

export interface GetCbrBackupsArgs extends CommonLookupArgs {
  vaultId?: string;
  /** The backed-up resource (a server or disk id). */
  resourceId?: string;
  /** "backup" (made in this vault) or "replication" (replicas from another region). */
  imageType?: "backup" | "replication";
}

/** A DWS snapshot, with the output names of `DwsSnapshot`. */
export interface DwsSnapshotInfo {
  id: string;
  name: string;
  description: string;
  clusterId?: string;
  clusterName?: string;
  /** CREATING, AVAILABLE or UNAVAILABLE. */
  status: string;
  /** MANUAL or AUTOMATED. */
  type?: string;
  size?: number;
  progress?: number;
  backupLevel?: string;
  startedAt?: string;
  finishedAt?: string;
  region: string;
}

/** An EVS snapshot, with the output names of `EvsSnapshot`. */
export interface EvsSnapshotInfo {
  id: string;
  volumeId: string;
  name: string;
  description: string;
  /** The metadata as the cloud reports it (with any `__system__` keys it adds). */
  cloudMetadata?: Record<string, string>;
  status: string;
  size?: number;
  progress?: number;
  createdAt?: string;
  updatedAt?: string;
  region: string;
}

/** A CBR backup. */
export interface CbrBackupInfo {
  id: string;
  name: string;
  vaultId?: string;
  status: string;
  /** backup or replication. */
  imageType?: string;
  resourceId?: string;
  resourceName?: string;
  resourceType?: string;
  /** Size of the backed-up resource, GB. */
  size?: number;
  createdAt?: string;
  updatedAt?: string;
  region: string;
}

/** What every lookup returns: matches newest first (only the newest with `mostRecent`), and their ids. */
export interface LookupResult<T> {
  items: T[];
  ids: string[];
  /** The newest match (undefined when none matched and `mostRecent` was not asked). */
  mostRecent?: T;
}
/** A lookup's arguments as inputs (each may be an output of another resource). */
export type LookupInputs<A> = { [K in keyof A]: pulumi.Input<A[K]> };

export type GetDwsSnapshotsResult = LookupResult<DwsSnapshotInfo>;
export type GetEvsSnapshotsResult = LookupResult<EvsSnapshotInfo>;
export type GetCbrBackupsResult = LookupResult<CbrBackupInfo>;

// ---------------------------------------------------------------------------------------------

/** The program's stack config, read as the provider reads its own (`huaweicloud:region` …). */
const programConfig = { get: (key: string) => pulumi.runtime.getConfig(key) };

function commonFilters() {
  const time = z
    .string({ error: "must be an ISO 8601 time" })
    .refine((t) => Number.isFinite(Date.parse(t)), { message: "must be an ISO 8601 time" });
  return {
    status: z
      .union([z.string(), z.array(z.string())], { error: "must be a status or a list of them" })
      .optional(),
    namePrefix: z.string({ error: "must be a string" }).optional(),
    nameRegex: z
      .string({ error: "must be a regular expression, as a string" })
      .refine(
        (r) => {
          try {
            new RegExp(r);
            return true;
          } catch {
            return false;
          }
        },
        { message: "must be a valid regular expression" },
      )
      .optional(),
    createdAfter: time.optional(),
    createdBefore: time.optional(),
    mostRecent: z.boolean({ error: "must be true or false" }).optional(),
    region: regionName().optional(),
  };
}

interface LookupSpec<A extends CommonLookupArgs, R, T> {
  fn: string;
  /** "DWS snapshot" */
  noun: string;
  filters: () => z.ZodType<A>;
  /** Lists every page of what may match (narrowed by the API's own filters where it has them). */
  list: (client: HuaweiClient, region: string, args: A, label: string) => Promise<R[]>;
  info: (raw: R, region: string) => T;
  name: (t: T) => string;
  status: (t: T) => string;
  created: (t: T) => number | undefined;
  /** The lookup's own filters (cluster, volume, vault, type …), beyond the common ones. */
  matches: (t: T, args: A) => boolean;
}

async function lookup<A extends CommonLookupArgs, R, T extends { id: string }>(
  spec: LookupSpec<A, R, T>,
  given: A,
): Promise<LookupResult<T>> {
  const parsed = spec.filters().safeParse(given ?? {});
  if (!parsed.success) {
    const failures = parsed.error.issues.map(
      (i) => `${i.path.map(String).join(".") || "(args)"}: ${i.message}`,
    );
    throw new HuaweiCloudError(`invalid filters: ${failures.join("; ")}`, {
      kind: "input",
      resource: spec.fn,
    });
  }
  const args = parsed.data;
  const client = clientForCall(programConfig);
  const region = regionFor(client, { region: args.region }, spec.fn);
  const statuses = args.status === undefined ? undefined : [args.status].flat().map((s) => s.toLowerCase());
  const regex = args.nameRegex === undefined ? undefined : new RegExp(args.nameRegex);
  const after = args.createdAfter === undefined ? undefined : Date.parse(args.createdAfter);
  const before = args.createdBefore === undefined ? undefined : Date.parse(args.createdBefore);
  const raw = await spec.list(client, region, args, spec.fn);
  const items = raw
    .map((r) => spec.info(r, region))
    .filter((t) => {
      const name = spec.name(t);
      const created = spec.created(t);
      return (
        spec.matches(t, args) &&
        (!statuses || statuses.includes(spec.status(t).toLowerCase())) &&
        (args.namePrefix === undefined || name.startsWith(args.namePrefix)) &&
        (!regex || regex.test(name)) &&
        (after === undefined || (created !== undefined && created >= after)) &&
        (before === undefined || (created !== undefined && created < before))
      );
    })
    .sort((a, b) => (spec.created(b) ?? 0) - (spec.created(a) ?? 0) || a.id.localeCompare(b.id));
  if (args.mostRecent) {
    if (items.length === 0) {
      const { mostRecent: _m, ...filters } = args;
      throw new HuaweiCloudError(
        `no ${spec.noun} matches ${JSON.stringify({ ...filters, region })}, so there is no most recent one`,
        {
          kind: "input",
          resource: spec.fn,
          hint: `Check the filters (${Object.keys(filters).join(", ") || "none given"}) and the region; without mostRecent an empty list is returned instead.`,
        },
      );
    }
    return { items: items.slice(0, 1), ids: [items[0]!.id], mostRecent: items[0] };
  }
  return { items, ids: items.map((t) => t.id), mostRecent: items[0] };
}

function dwsSpec(): LookupSpec<GetDwsSnapshotsArgs, DwsSnapshotDetail, DwsSnapshotInfo> {
  return {
    fn: "getDwsSnapshots",
    noun: "DWS snapshot",
    filters: () =>
      z.strictObject({
        ...commonFilters(),
        clusterId: cloudId("DWS cluster").optional(),
        type: z.enum(["manual", "automated"], { error: 'must be "manual" or "automated"' }).optional(),
      }),
    // One cluster's snapshots are paged; the project-wide list has no documented paging.
    list: (client, region, args, label) =>
      args.clusterId
        ? dwsApi(client, region, label).listClusterSnapshots(args.clusterId)
        : dwsApi(client, region, label).listSnapshots(),
    info: (s, region) => ({ id: s.id, ...dwsSnapshotOutputs(s), region }) as DwsSnapshotInfo,
    name: (t) => t.name,
    status: (t) => t.status,
    created: (t) => (t.startedAt ? Date.parse(t.startedAt) : undefined),
    matches: (t, a) =>
      (!a.clusterId || t.clusterId?.toLowerCase() === a.clusterId.toLowerCase()) &&
      (!a.type || t.type?.toLowerCase() === a.type),
  };
}

function evsSpec(): LookupSpec<GetEvsSnapshotsArgs, EvsSnapshotDetail, EvsSnapshotInfo> {
  return {
    fn: "getEvsSnapshots",
    noun: "EVS snapshot",
    filters: () => z.strictObject({ ...commonFilters(), volumeId: cloudId("EVS volume").optional() }),
    list: (client, region, args, label) =>
      evsApi(client, region, label).listSnapshots({
        volume_id: args.volumeId,
        // The API filters one status; several are filtered here.
        status: typeof args.status === "string" ? args.status : undefined,
      }),
    info: (s, region) => ({ id: s.id, ...evsSnapshotOutputs(s), region }) as EvsSnapshotInfo,
    name: (t) => t.name,
    status: (t) => t.status,
    created: (t) => (t.createdAt ? Date.parse(t.createdAt) : undefined),
    matches: (t, a) => !a.volumeId || t.volumeId.toLowerCase() === a.volumeId.toLowerCase(),
  };
}

function cbrSpec(): LookupSpec<GetCbrBackupsArgs, Backup, CbrBackupInfo> {
  return {
    fn: "getCbrBackups",
    noun: "CBR backup",
    filters: () =>
      z.strictObject({
        ...commonFilters(),
        vaultId: cloudId("CBR vault").optional(),
        resourceId: z.string({ error: "must be a resource id, a string" }).optional(),
        imageType: z
          .enum(["backup", "replication"], { error: 'must be "backup" or "replication"' })
          .optional(),
      }),
    list: (client, region, args, label) =>
      cbrApi(client, region, label).listBackups({ vault_id: args.vaultId, image_type: args.imageType }),
    info: (b, region) => ({
      id: b.id,
      name: b.name ?? "",
      vaultId: b.vault_id ?? undefined,
      status: b.status,
      imageType: b.image_type ?? undefined,
      resourceId: b.resource_id ?? undefined,
      resourceName: b.resource_name ?? undefined,
      resourceType: b.resource_type ?? undefined,
      size: b.resource_size ?? undefined,
      createdAt: whenIso(b.created_at),
      updatedAt: whenIso(b.updated_at),
      region,
    }),
    name: (t) => t.name,
    status: (t) => t.status,
    created: (t) => (t.createdAt ? Date.parse(t.createdAt) : undefined),
    matches: (t, a) =>
      (!a.vaultId || t.vaultId?.toLowerCase() === a.vaultId.toLowerCase()) &&
      (!a.resourceId || t.resourceId === a.resourceId) &&
      (!a.imageType || t.imageType === a.imageType),
  };
}

/** A lookup's output form: the same lookup, taking inputs (outputs of other resources) and giving an output. */
function outputForm<A, R>(get: (args: A) => Promise<R>) {
  return (args: LookupInputs<A> = {} as LookupInputs<A>): pulumi.Output<R> =>
    pulumi.output(args).apply((a) => get(a as A)) as pulumi.Output<R>;
}

/** DWS snapshots (manual and automated) that match the filters, newest first. */
export function getDwsSnapshots(args: GetDwsSnapshotsArgs = {}): Promise<GetDwsSnapshotsResult> {
  return lookup(dwsSpec(), args);
}
/** `getDwsSnapshots` taking inputs and returning an output. */
export const getDwsSnapshotsOutput = outputForm(getDwsSnapshots);

/** EVS snapshots that match the filters, newest first. */
export function getEvsSnapshots(args: GetEvsSnapshotsArgs = {}): Promise<GetEvsSnapshotsResult> {
  return lookup(evsSpec(), args);
}
/** `getEvsSnapshots` taking inputs and returning an output. */
export const getEvsSnapshotsOutput = outputForm(getEvsSnapshots);

/** CBR backups that match the filters, newest first. */
export function getCbrBackups(args: GetCbrBackupsArgs = {}): Promise<GetCbrBackupsResult> {
  return lookup(cbrSpec(), args);
}
/** `getCbrBackups` taking inputs and returning an output. */
export const getCbrBackupsOutput = outputForm(getCbrBackups);
