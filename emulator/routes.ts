/**
 * The route table: method and path -> (service, Huawei SDK operation name, handler). Handlers only
 * parse (zod) and call the backend; the backend decides everything else.
 */
import { z } from "zod";
import type { Backend } from "./backend";
import { hexId } from "./clock";
import { type ApiError, badRequest, type ErrorShape, evsError, iamError } from "./errors";

export type ServiceName = "iam" | "dws" | "evs" | "cbr";

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface HandlerContext {
  backend: Backend;
  /** Path parameters after the project id. */
  params: string[];
  projectId: string;
  query: Array<[string, string]>;
  /** The parsed JSON body (throws the service's 400 when it is not JSON). */
  json(): unknown;
  /** Scheme://host of the request, for links. */
  baseUrl: string;
  path: string;
}

export interface Route {
  method: string;
  /** Group 1 is the project id when `projectScoped`; later groups are params. */
  pattern: RegExp;
  service: ServiceName;
  operation: string;
  projectScoped: boolean;
  authenticated: boolean;
  handle(ctx: HandlerContext): Reply;
}

export const SHAPE: Record<ServiceName, ErrorShape> = { iam: "iam", dws: "dws", evs: "evs", cbr: "cbr" };

function parse<T>(shape: ErrorShape, schema: z.ZodType<T>, value: unknown): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const where = issue && issue.path.length > 0 ? issue.path.join(".") : "body";
  throw badRequest(shape, `${where}: ${issue?.message ?? "invalid"}`);
}

function q(query: Array<[string, string]>, name: string): string | undefined {
  return query.find(([k]) => k === name)?.[1];
}

function qAll(query: Array<[string, string]>, name: string): string[] {
  return query.filter(([k]) => k === name).map(([, v]) => v);
}

/** A non-negative integer query value, or the error built by `bad`. */
function intParam(value: string | undefined, bad: () => ApiError): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d{1,9}$/.test(value)) throw bad();
  return Number(value);
}

/** `{ [key]: value }` when the value is defined, `{}` otherwise (for exactOptionalPropertyTypes). */
function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

/**
 * `{ <name>: [{ href, rel: "next" }] }` when more items follow the page: the same query with
 * `marker` set to the page's last id (as cinder links), or nothing on the last page.
 */
function nextLink(
  c: HandlerContext,
  name: string,
  r: { more: boolean; last?: string },
): Record<string, unknown> {
  if (!r.more || r.last === undefined) return {};
  const params = new URLSearchParams(c.query.filter(([k]) => k !== "offset" && k !== "marker"));
  params.set("marker", r.last);
  return { [name]: [{ href: `${c.baseUrl}${c.path}?${params.toString()}`, rel: "next" }] };
}

const dwsCreateSchema = z.object({
  snapshot: z.object({
    name: z.string(),
    cluster_id: z.string(),
    description: z.string().optional(),
  }),
});
const dwsCopySchema = z.object({ backup_name: z.string(), description: z.string().optional() });
const evsCreateSchema = z.object({
  snapshot: z.object({
    volume_id: z.string(),
    force: z.boolean().optional(),
    metadata: z.record(z.string(), z.string()).optional(),
    name: z.string().optional(),
    description: z.string().optional(),
  }),
});
const evsUpdateSchema = z.object({
  snapshot: z.object({
    name: z.string().optional(),
    description: z.string().optional(),
    metadata: z.unknown().optional(),
  }),
});
const cbrReplicateVaultSchema = z.object({
  replicate: z.object({
    vault_id: z.string(),
    destination_vault_id: z.string(),
    destination_region: z.string().max(255),
    destination_project_id: z.string(),
    auto_trigger: z.boolean().optional(),
    enable_acceleration: z.boolean().optional(),
  }),
});
const cbrReplicateBackupSchema = z.object({
  replicate: z.object({
    destination_vault_id: z.string(),
    destination_region: z.string().max(255),
    destination_project_id: z.string(),
    name: z.string().min(1).max(64).optional(),
    description: z.string().max(255).optional(),
    enable_acceleration: z.boolean().optional(),
  }),
});
const iamTokenSchema = z.object({
  auth: z.object({
    identity: z.object({
      methods: z.array(z.string()),
      password: z.object({
        user: z.object({
          name: z.string(),
          password: z.string(),
          domain: z.object({ name: z.string().optional(), id: z.string().optional() }).optional(),
        }),
      }),
    }),
    scope: z
      .object({
        project: z.object({ name: z.string().optional(), id: z.string().optional() }).optional(),
        domain: z.object({ name: z.string().optional(), id: z.string().optional() }).optional(),
      })
      .optional(),
  }),
});

const P = "([^/]+)"; // one path segment

function route(
  method: string,
  path: string,
  service: ServiceName,
  operation: string,
  handle: (ctx: HandlerContext) => Reply,
  opts: { projectScoped?: boolean; authenticated?: boolean } = {},
): Route {
  return {
    method,
    pattern: new RegExp(`^${path}$`),
    service,
    operation,
    projectScoped: opts.projectScoped ?? true,
    authenticated: opts.authenticated ?? true,
    handle,
  };
}

const ok = (body: unknown, status = 200): Reply => ({ status, body });

export function buildRoutes(): Route[] {
  return [
    // ---------------- IAM ----------------
    route(
      "GET",
      "/v3/projects",
      "iam",
      "KeystoneListProjects",
      (c) => ({
        status: 200,
        body: {
          projects: c.backend.iam.listProjects(q(c.query, "name")),
          links: { self: `${c.baseUrl}/v3/projects`, previous: null, next: null },
        },
        headers: { "X-IAM-Trace-Id": hexId() },
      }),
      { projectScoped: false },
    ),
    route(
      "GET",
      "/v3/auth/domains",
      "iam",
      "KeystoneListAuthDomains",
      (c) => ok({ domains: c.backend.iam.listDomains(), links: { self: `${c.baseUrl}/v3/auth/domains` } }),
      { projectScoped: false },
    ),
    route(
      "POST",
      "/v3/auth/tokens",
      "iam",
      "KeystoneCreateUserTokenByPassword",
      (c) => {
        const b = parse("iam", iamTokenSchema, c.json()).auth;
        if (!b.identity.methods.includes("password")) {
          throw iamError(400, "IAM.0011", "Only the password method is supported by the emulator.");
        }
        const u = b.identity.password.user;
        const { token, body } = c.backend.iam.createToken({
          user: u.name,
          password: u.password,
          ...(u.domain?.name === undefined ? {} : { domain: u.domain.name }),
          ...(b.scope?.project?.name === undefined ? {} : { projectName: b.scope.project.name }),
          ...(b.scope?.project?.id === undefined ? {} : { projectId: b.scope.project.id }),
        });
        return { status: 201, body, headers: { "X-Subject-Token": token } };
      },
      { projectScoped: false, authenticated: false },
    ),

    // ---------------- DWS ----------------
    route("POST", `/v1\\.0/${P}/snapshots`, "dws", "CreateSnapshot", (c) => {
      const b = parse("dws", dwsCreateSchema, c.json()).snapshot;
      const s = c.backend.dws.createSnapshot(c.projectId, {
        name: b.name,
        clusterId: b.cluster_id,
        ...(b.description === undefined ? {} : { description: b.description }),
      });
      return ok({ snapshot: { id: s.id } });
    }),
    route("GET", `/v1\\.0/${P}/snapshots`, "dws", "ListSnapshots", (c) => {
      const snapshots = c.backend.dws.listSnapshots(c.projectId);
      return ok({ snapshots, count: snapshots.length });
    }),
    route("GET", `/v1\\.0/${P}/snapshots/${P}`, "dws", "ListSnapshotDetails", (c) =>
      ok({ snapshot: c.backend.dws.view(c.backend.dws.snapshot(c.projectId, c.params[0]!)) }),
    ),
    route("DELETE", `/v1\\.0/${P}/snapshots/${P}`, "dws", "DeleteSnapshot", (c) => {
      c.backend.dws.deleteSnapshot(c.projectId, c.params[0]!);
      return { status: 202 };
    }),
    route("POST", `/v1\\.0/${P}/snapshots/${P}/linked-copy`, "dws", "CopySnapshot", (c) => {
      const b = parse("dws", dwsCopySchema, c.json());
      const s = c.backend.dws.copySnapshot(c.projectId, c.params[0]!, {
        backupName: b.backup_name,
        ...(b.description === undefined ? {} : { description: b.description }),
      });
      return ok({ snapshot_id: s.id });
    }),
    route("GET", `/v1\\.0/${P}/clusters`, "dws", "ListClusters", (c) => {
      const clusters = c.backend.dws.listClusters(c.projectId);
      return ok({ clusters, count: clusters.length });
    }),
    route("GET", `/v1\\.0/${P}/clusters/${P}`, "dws", "ShowClusterDetail", (c) =>
      ok({ cluster: c.backend.dws.showCluster(c.projectId, c.params[0]!) }),
    ),
    route("GET", `/v1\\.0/${P}/clusters/${P}/snapshots`, "dws", "ListClusterSnapshots", (c) => {
      const bad = () => badRequest("dws", "limit, offset, sort_key or sort_dir");
      const limit = intParam(q(c.query, "limit"), bad);
      if (limit === 0) throw bad();
      const sortDir = q(c.query, "sort_dir");
      if (sortDir !== undefined && sortDir !== "asc" && sortDir !== "desc") throw bad();
      const r = c.backend.dws.listClusterSnapshots(c.projectId, c.params[0]!, {
        ...(limit === undefined ? {} : { limit }),
        ...(q(c.query, "offset") === undefined ? {} : { offset: intParam(q(c.query, "offset"), bad)! }),
        ...(q(c.query, "sort_key") === undefined ? {} : { sortKey: q(c.query, "sort_key")! }),
        ...(sortDir === undefined ? {} : { sortDir }),
      });
      return ok({ snapshots: r.snapshots, project_id: c.projectId, cluster_id: c.params[0], count: r.count });
    }),

    // ---------------- EVS ----------------
    route("POST", `/v2/${P}/cloudsnapshots`, "evs", "CreateSnapshot", (c) => {
      const b = parse("evs", evsCreateSchema, c.json()).snapshot;
      const s = c.backend.evs.createSnapshot(c.projectId, {
        volumeId: b.volume_id,
        ...(b.force === undefined ? {} : { force: b.force }),
        ...(b.metadata === undefined ? {} : { metadata: b.metadata }),
        ...(b.name === undefined ? {} : { name: b.name }),
        ...(b.description === undefined ? {} : { description: b.description }),
      });
      return ok({ snapshot: c.backend.evs.view(s) }, 202);
    }),
    route("GET", `/v2/${P}/cloudsnapshots/detail`, "evs", "ListSnapshots", (c) => {
      const badLimit = () =>
        evsError(400, "EVS.2142", "Invalid limit: the limit must be between 1 and 1000.");
      const limit = intParam(q(c.query, "limit"), badLimit);
      if (limit !== undefined && (limit < 1 || limit > 1000)) throw badLimit();
      const offset = intParam(q(c.query, "offset"), () => badRequest("evs", "offset"));
      const f = {
        ...(limit === undefined ? {} : { limit }),
        ...(offset === undefined ? {} : { offset }),
        ...(q(c.query, "marker") === undefined ? {} : { marker: q(c.query, "marker")! }),
        ...(q(c.query, "name") === undefined ? {} : { name: q(c.query, "name")! }),
        ...(q(c.query, "status") === undefined ? {} : { status: q(c.query, "status")! }),
        ...(q(c.query, "volume_id") === undefined ? {} : { volumeId: q(c.query, "volume_id")! }),
        ...(q(c.query, "availability_zone") === undefined
          ? {}
          : { availabilityZone: q(c.query, "availability_zone")! }),
        ids: qAll(c.query, "id"),
      };
      const r = c.backend.evs.listSnapshots(c.projectId, f);
      return ok({ count: r.count, snapshots: r.snapshots, ...nextLink(c, "snapshots_links", r) });
    }),
    route("GET", `/v2/${P}/cloudsnapshots/${P}`, "evs", "ShowSnapshot", (c) =>
      ok({ snapshot: c.backend.evs.view(c.backend.evs.snapshot(c.projectId, c.params[0]!)) }),
    ),
    route("PUT", `/v2/${P}/cloudsnapshots/${P}`, "evs", "UpdateSnapshot", (c) => {
      const b = parse("evs", evsUpdateSchema, c.json()).snapshot;
      if (b.metadata !== undefined) {
        throw evsError(400, "EVS.2047", "the metadata Param is not allowed to be updated");
      }
      const s = c.backend.evs.updateSnapshot(c.projectId, c.params[0]!, {
        ...(b.name === undefined ? {} : { name: b.name }),
        ...(b.description === undefined ? {} : { description: b.description }),
      });
      return ok({ snapshot: c.backend.evs.view(s) });
    }),
    route("DELETE", `/v2/${P}/cloudsnapshots/${P}`, "evs", "DeleteSnapshot", (c) => {
      c.backend.evs.deleteSnapshot(c.projectId, c.params[0]!);
      return { status: 202 };
    }),
    route("GET", `/v2/${P}/cloudvolumes/detail`, "evs", "ListVolumes", (c) => {
      const bad = (what: string) => () => evsError(400, "EVS.5400", `Invalid ${what}.`);
      const limit = intParam(q(c.query, "limit"), bad("limit"));
      if (limit === 0) throw bad("limit")();
      const sortDir = q(c.query, "sort_dir");
      if (sortDir !== undefined && sortDir !== "asc" && sortDir !== "desc") throw bad("sort_dir")();
      const sortKey = q(c.query, "sort_key");
      if (sortKey !== undefined && !["id", "status", "size", "created_at"].includes(sortKey))
        throw bad("sort_key")();
      const r = c.backend.evs.listVolumes(
        c.projectId,
        {
          ...(limit === undefined ? {} : { limit }),
          ...optional("offset", intParam(q(c.query, "offset"), bad("offset"))),
          ...optional("marker", q(c.query, "marker")),
          ...optional("name", q(c.query, "name")),
          ...optional("status", q(c.query, "status")),
          ...optional("availabilityZone", q(c.query, "availability_zone")),
          ...optional("id", q(c.query, "id")),
          ...optional("sortKey", sortKey),
          ...(sortDir === undefined ? {} : { sortDir }),
        },
        c.baseUrl,
      );
      return ok({ count: r.count, volumes: r.volumes, ...nextLink(c, "volumes_links", r) });
    }),
    route("GET", `/v2/${P}/cloudvolumes/${P}`, "evs", "ShowVolume", (c) =>
      ok({ volume: c.backend.evs.volumeView(c.backend.evs.volume(c.projectId, c.params[0]!), c.baseUrl) }),
    ),

    // ---------------- CBR ----------------
    route("GET", `/v3/${P}/vaults`, "cbr", "ListVault", (c) => {
      const vaults = c.backend.cbr.listVaults(c.projectId);
      return ok({ vaults, count: vaults.length });
    }),
    route("GET", `/v3/${P}/vaults/${P}`, "cbr", "ShowVault", (c) =>
      ok({ vault: c.backend.cbr.vaultView(c.backend.cbr.vault(c.projectId, c.params[0]!)) }),
    ),
    route("GET", `/v3/${P}/backups`, "cbr", "ListBackups", (c) => {
      const bad = (what: string) => () => badRequest("cbr", what);
      const limit = intParam(q(c.query, "limit"), bad("limit"));
      if (limit !== undefined && (limit < 1 || limit > 1000)) throw bad("limit must be 1 to 1000")();
      const offset = intParam(q(c.query, "offset"), bad("offset"));
      const imageType = q(c.query, "image_type");
      if (imageType !== undefined && imageType !== "backup" && imageType !== "replication") {
        throw bad("image_type must be backup or replication")();
      }
      const show = q(c.query, "show_replication");
      const r = c.backend.cbr.listBackups(c.projectId, {
        ...(q(c.query, "vault_id") === undefined ? {} : { vaultId: q(c.query, "vault_id")! }),
        ...(imageType === undefined ? {} : { imageType }),
        statuses: qAll(c.query, "status").flatMap((s) => s.split(",")),
        ...(q(c.query, "name") === undefined ? {} : { name: q(c.query, "name")! }),
        ...(q(c.query, "resource_id") === undefined ? {} : { resourceId: q(c.query, "resource_id")! }),
        ...(q(c.query, "checkpoint_id") === undefined ? {} : { checkpointId: q(c.query, "checkpoint_id")! }),
        ...(q(c.query, "parent_id") === undefined ? {} : { parentId: q(c.query, "parent_id")! }),
        ...(q(c.query, "sort") === undefined ? {} : { sort: q(c.query, "sort")! }),
        showReplication: show === "true",
        ...(limit === undefined ? {} : { limit }),
        ...(offset === undefined ? {} : { offset }),
        ...optional("marker", q(c.query, "marker")),
      });
      const cap = c.backend.config.pageSizes.cbrBackups;
      return ok({
        backups: r.backups,
        count: r.count,
        offset: offset ?? 0,
        limit: Math.min(limit ?? cap, cap),
      });
    }),
    route("GET", `/v3/${P}/backups/${P}`, "cbr", "ShowBackup", (c) =>
      ok({ backup: c.backend.cbr.backupView(c.backend.cbr.backup(c.projectId, c.params[0]!), true) }),
    ),
    route("DELETE", `/v3/${P}/backups/${P}`, "cbr", "DeleteBackup", (c) => {
      c.backend.cbr.deleteBackup(c.projectId, c.params[0]!);
      return { status: 204 };
    }),
    route("POST", `/v3/${P}/backups/${P}/replicate`, "cbr", "CopyBackup", (c) => {
      const b = parse("cbr", cbrReplicateBackupSchema, c.json()).replicate;
      const r = c.backend.cbr.replicateBackup(c.projectId, c.params[0]!, {
        destinationVaultId: b.destination_vault_id,
        destinationRegion: b.destination_region,
        destinationProjectId: b.destination_project_id,
        ...(b.name === undefined ? {} : { name: b.name }),
        ...(b.description === undefined ? {} : { description: b.description }),
        ...(b.enable_acceleration === undefined ? {} : { enableAcceleration: b.enable_acceleration }),
      });
      return ok({
        replication: {
          backup_id: r.sourceBackupId,
          replication_record_id: r.id,
          destination_project_id: r.destinationProjectId,
          destination_region: r.destinationRegion,
          destination_vault_id: r.destinationVaultId,
          project_id: r.sourceProjectId,
          provider_id: r.providerId,
          source_region: r.sourceRegion,
        },
      });
    }),
    route("POST", `/v3/${P}/checkpoints/replicate`, "cbr", "CopyCheckpoint", (c) => {
      const b = parse("cbr", cbrReplicateVaultSchema, c.json()).replicate;
      const records = c.backend.cbr.replicateVault(c.projectId, {
        vaultId: b.vault_id,
        destinationVaultId: b.destination_vault_id,
        destinationRegion: b.destination_region,
        destinationProjectId: b.destination_project_id,
        ...(b.auto_trigger === undefined ? {} : { autoTrigger: b.auto_trigger }),
        ...(b.enable_acceleration === undefined ? {} : { enableAcceleration: b.enable_acceleration }),
      });
      const region = c.backend.regionOfProject(c.projectId)?.name ?? "";
      return ok({
        replication: {
          backups: records.map((r) => ({ backup_id: r.sourceBackupId, replication_record_id: r.id })),
          destination_project_id: b.destination_project_id,
          destination_region: b.destination_region,
          destination_vault_id: b.destination_vault_id,
          project_id: c.projectId,
          provider_id: "0daac4c5-6707-4851-97ba-169e36266b66",
          source_region: region,
          vault_id: b.vault_id,
        },
      });
    }),
    route("GET", `/v3/${P}/operation-logs`, "cbr", "ListOpLogs", (c) => {
      const bad = (what: string) => () => badRequest("cbr", what);
      const limit = intParam(q(c.query, "limit"), bad("limit"));
      if (limit !== undefined && (limit < 1 || limit > 1000)) throw bad("limit must be 1 to 1000")();
      const offset = intParam(q(c.query, "offset"), bad("offset"));
      const r = c.backend.cbr.listOpLogs(c.projectId, {
        ...(q(c.query, "operation_type") === undefined
          ? {}
          : { operationType: q(c.query, "operation_type")! }),
        ...(q(c.query, "status") === undefined ? {} : { status: q(c.query, "status")! }),
        ...(q(c.query, "vault_id") === undefined ? {} : { vaultId: q(c.query, "vault_id")! }),
        ...optional("resourceId", q(c.query, "resource_id")),
        ...(limit === undefined ? {} : { limit }),
        ...(offset === undefined ? {} : { offset }),
      });
      return ok(r);
    }),
    route("GET", `/v3/${P}/replication-capabilities`, "cbr", "ShowReplicationCapabilities", (c) =>
      ok(c.backend.cbr.replicationCapabilities()),
    ),
    route("GET", `/v3/${P}/operation-logs/${P}`, "cbr", "ShowOpLog", (c) =>
      ok({ operation_log: c.backend.cbr.showOpLog(c.projectId, c.params[0]!) }),
    ),
  ];
}

/** The service's answer to a project id that no region has. */
export function unknownProject(service: ServiceName, projectId: string): ApiError {
  if (service === "evs") return evsError(400, "EVS.0001", `Invalid tenant id: ${projectId}`);
  return badRequest(SHAPE[service], `project_id ${projectId} does not exist`);
}
