/**
 * What every resource shares: input checking, diffing, the partial-failure rule, timeouts, the
 * undefined-stripping of outputs, and the client and region of a call. A resource supplies a
 * ResourceSpec (its rules and its create/read/update/delete); `providerFor` turns that into the
 * methods the Pulumi dynamic provider host calls.
 */
import { createHash, randomUUID } from "node:crypto";
import { z } from "zod";
import { createClient, resolveSettings } from "../client";
import { HuaweiCloudError } from "../client/errors";
import type { HuaweiClient, Settings } from "../client/types";
import { describeStatuses, type Observation, waitFor } from "../waiter";

/** What preview sends for a value not known yet (pulumi/pulumi sdk/nodejs/runtime/rpc.ts). */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export type Props = Record<string, unknown>;
export interface CheckFailure {
  property: string;
  reason: string;
}

export interface Timeouts {
  create: number;
  update: number;
  delete: number;
}

/** Everything a resource operation needs, built per call (never captured into state). */
export interface OpContext {
  client: HuaweiClient;
  region: string;
  /** Names the resource in errors: `EVS snapshot "nightly"`. */
  label: string;
  /** The operation, as the resource's `timeouts` name it. */
  operation: keyof Timeouts;
  /** Epoch ms by which the operation must be done (from the resource's `timeouts`). */
  deadline: number;
  timeoutMs: number;
  /**
   * Create only: record the cloud id (and what is known) the moment it exists, so that any later
   * failure keeps the resource in state instead of orphaning it.
   */
  recordId(id: string, outs: Props): void;
  /** Updates what is known of the recorded resource (latest status, progress …). */
  recordOutputs(outs: Props): void;
}

/**
 * One resource kind. `I` is its checked inputs, `S` its state: the outputs as stored (inputs echoed,
 * then what the cloud reported). The framework parses old state once with `state()` and hands
 * `read`, `update` and `delete` the typed value; `create`, `read` and `update` return state fields.
 */
export interface ResourceSpec<I extends Props, S extends Props = Props> {
  kind: string;
  /** "EVS snapshot" */
  noun: string;
  defaultTimeouts: Timeouts;
  /**
   * Input schema factory; messages name the rule (the property comes from the issue path). Rules
   * that need the provider's default region get it, when it is known.
   */
  inputs: (defaults?: { region?: string }) => z.ZodType<I> & { shape: Record<string, unknown> };
  /**
   * State schema factory. Tolerant: a partial failure, an interrupted run or an older version may
   * have left any field out or of another type, so every field is optional and an unreadable one
   * reads as absent (see `stateField`). Fields it does not name are left out of the typed value
   * (the framework keeps them in state), so outputs a resource writes must be named in it.
   */
  state: () => z.ZodType<S>;
  /** Input properties whose change replaces the resource. */
  replaceOnChange: readonly (keyof I & string)[];
  /** Optional inputs the provider resolves when omitted (an omitted one keeps the resolved value). */
  resolvedWhenOmitted?: readonly (keyof I & string)[];
  /** Input properties the cloud can change in place. */
  updatable?: readonly (keyof I & string)[];
  /** Whether the old one must go first (a unique name or a one-per-source rule). */
  deleteBeforeReplace?: (olds: S, news: I) => boolean;
  /** The old state shows a wait that was cut short: the next update resumes it. */
  isUnsettled(olds: S): boolean;
  /** The old state shows a terminal failure: the next update replaces it. */
  isFailed(olds: S): boolean;
  labelOf(inputs: Props, id?: string): string;
  create(ctx: OpContext, inputs: I): Promise<{ id: string; outs: Partial<S> }>;
  /** Undefined when the resource is gone. */
  read(ctx: OpContext, id: string, olds: S): Promise<Partial<S> | undefined>;
  update?(ctx: OpContext, id: string, olds: S, news: I): Promise<Partial<S>>;
  delete(ctx: OpContext, id: string, olds: S): Promise<void>;
}

/** A state field as `ResourceSpec.state` wants it: optional, and absent when unreadable. */
export function stateField<T extends z.ZodType>(schema: T) {
  return schema.optional().catch(undefined);
}

/** The state of a resource not yet described field by field: any object, read as it is. */
export function untypedState(): z.ZodType<Props> {
  return z.looseObject({});
}

/** Old state (outputs) as the spec's type; anything but an object reads as an empty state. */
export function stateOf<S extends Props>(spec: Pick<ResourceSpec<Props, S>, "state">, props: unknown): S {
  const parsed = spec.state().safeParse(plainProps(props));
  return parsed.success ? parsed.data : spec.state().parse({});
}

// ---------------------------------------------------------------------------------------------
// Configuration: set by the host through configure(); read on every call.

export interface ConfigReader {
  get(key: string): string | undefined;
}
let configured: ConfigReader | undefined;
const clients = new Map<string, HuaweiClient>();

export function setConfig(config: ConfigReader | undefined): void {
  configured = config;
}

/** The settings and client for this call. Clients are shared per settings, so every resource in a host shares one limiter. */
export function clientForCall(): HuaweiClient {
  const settings = resolveSettings({ config: safeConfig(configured), env: process.env });
  const key = settingsKey(settings);
  let client = clients.get(key);
  if (!client) {
    client = createClient(settings);
    clients.set(key, client);
  }
  return client;
}

function safeConfig(config: ConfigReader | undefined): ConfigReader | undefined {
  if (!config) return undefined;
  // The host's Config throws when Configure was never called; treat that as "no stack config".
  return {
    get(key) {
      try {
        return config.get(key);
      } catch {
        return undefined;
      }
    },
  };
}

function settingsKey(s: Settings): string {
  // In-memory only; never serialized or logged.
  return JSON.stringify([s.credentials, s.endpoints, s.projectIds, s.requestTimeoutMs, s.maxRetries]);
}

/** The provider's default region (stack config or environment), read without any API call. */
export function defaultRegion(): string | undefined {
  try {
    return clientForCall().settings.region;
  } catch {
    return undefined; // bad or missing settings: reported by the first call that needs them
  }
}

export function regionFor(client: HuaweiClient, inputs: Props, noun: string): string {
  const region = typeof inputs.region === "string" && inputs.region ? inputs.region : client.settings.region;
  if (!region) {
    throw new HuaweiCloudError(`no region for this ${noun}`, {
      kind: "input",
      hint: "Set the resource's `region` input, the stack config `huaweicloud:region`, or HW_REGION_NAME.",
    });
  }
  return region;
}

// ---------------------------------------------------------------------------------------------
// Durations and timeouts

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Go-style durations as Terraform and Pulumi write them: "45m", "1h30m", "90s", "500ms". */
export function parseDuration(text: string): number | undefined {
  const s = text.trim();
  if (!/^(\d+(\.\d+)?(ms|s|m|h))+$/.test(s)) return undefined;
  let total = 0;
  for (const m of s.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)) total += Number(m[1]) * UNIT_MS[m[2]!]!;
  return total > 0 ? total : undefined;
}

export function timeoutsOf(inputs: Props, defaults: Timeouts): Timeouts {
  const given = (inputs.timeouts ?? {}) as Partial<Record<keyof Timeouts, string>>;
  const pick = (k: keyof Timeouts) => (given[k] ? (parseDuration(given[k]!) ?? defaults[k]) : defaults[k]);
  return { create: pick("create"), update: pick("update"), delete: pick("delete") };
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 120_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)}s`;
  return `${Math.round(ms / 60_000)}m`;
}

// ---------------------------------------------------------------------------------------------
// Outputs

/** Pulumi cannot marshal `undefined` (pulumi/pulumi#2205): drop it everywhere, keep null out too. */
export function stripUndefined<T>(value: T): T {
  if (Array.isArray(value)) return value.filter((v) => v !== undefined).map(stripUndefined) as T;
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (v === undefined || v === null) continue;
      out[k] = stripUndefined(v);
    }
    return out as T;
  }
  return value;
}

/**
 * Later layers override earlier ones, except where they have no value: a field the cloud did not
 * report keeps what the inputs or the previous state said (an absent field must not read as a change).
 */
export function layered(...layers: Props[]): Props {
  return Object.assign({}, ...layers.map((l) => stripUndefined(l)));
}

/** The error the host turns into ErrorResourceInitFailed: the resource stays in state with this id. */
export function partialFailure(err: unknown, id: string, properties: Props): Error {
  const message = err instanceof Error ? err.message : String(err);
  return Object.assign(new Error(message), {
    id,
    properties: stripUndefined(properties),
    reasons: [message],
  });
}

// ---------------------------------------------------------------------------------------------
// Ownership (docs/ownership.md)

/**
 * The hidden inputs that say whose a cloud object is. `owner` names the resource (the public class
 * fills it from project, stack, parent and name: stable across retries, crashes and later `up`s,
 * different for two resources); `generation` counts the resource's incarnations (check sets it
 * from the old inputs: absent for a first create, one more on every later check, so a replacement
 * never has the identity of what it replaces).
 */
export function ownershipInputs() {
  return {
    owner: z
      .string({ error: "must be a string" })
      .min(1)
      .max(1024, "must be at most 1024 characters")
      .optional(),
    generation: z.number({ error: "must be a number" }).int().min(0).optional(),
  };
}

/** What check adds: the owner kept from the old inputs, and the next generation when there were any. */
function withOwnership(
  spec: { inputs: () => { shape: Record<string, unknown> } },
  olds: Props,
  inputs: Props,
) {
  if (!("generation" in spec.inputs().shape)) return inputs;
  const before = plainProps(olds);
  if (Object.keys(before).length === 0) return inputs;
  const generation = typeof before.generation === "number" ? before.generation + 1 : 1;
  const owner = inputs.owner ?? (typeof before.owner === "string" ? before.owner : undefined);
  return { ...inputs, ...(owner === undefined ? {} : { owner }), generation };
}

export interface Identity {
  /** What is stamped on the cloud object, where it can carry it (hex; no secret, no clock). */
  stamp: string;
  /** Whether the stamp is the resource's own (an owner was given) rather than this call's alone. */
  stable: boolean;
  /** A first incarnation: only it may adopt an `existingId` (a replacement never takes it again). */
  first: boolean;
}

export function identityOf(inputs: { owner?: string; generation?: number }): Identity {
  const generation = inputs.generation ?? 0;
  const owner = inputs.owner ?? `call:${randomUUID()}`;
  const stamp = createHash("sha256").update(`${owner}#${generation}`).digest("hex").slice(0, 32);
  return { stamp, stable: inputs.owner !== undefined, first: generation === 0 };
}

// ---------------------------------------------------------------------------------------------
// Check

/** Paths (dotted) of every preview-unknown value in the inputs. */
function unknownPaths(value: unknown, prefix = ""): string[] {
  if (value === UNKNOWN) return [prefix];
  if (value && typeof value === "object") {
    return Object.entries(value).flatMap(([k, v]) => unknownPaths(v, prefix ? `${prefix}.${k}` : k));
  }
  return [];
}

function withoutPaths(value: unknown, paths: string[], prefix = ""): unknown {
  if (!value || typeof value !== "object" || Array.isArray(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const p = prefix ? `${prefix}.${k}` : k;
    if (paths.includes(p) || k === "__provider") continue;
    out[k] = withoutPaths(v, paths, p);
  }
  return out;
}

export function checkInputs<I extends Props, S extends Props>(
  spec: ResourceSpec<I, S>,
  news: Props,
  olds: Props = {},
): { inputs: Props; failures: CheckFailure[] } {
  const unknown = unknownPaths(withoutPaths(news, []));
  const known = withoutPaths(news, unknown) as Props;
  const parsed = spec
    .inputs({ region: unknown.includes("region") ? undefined : defaultRegion() })
    .safeParse(known);
  if (parsed.success) {
    if (unknown.length > 0) return { inputs: news, failures: [] }; // keep the sentinels for the engine
    return { inputs: withOwnership(spec, olds, stripUndefined(parsed.data as Props)), failures: [] };
  }
  const failures: CheckFailure[] = [];
  for (const issue of parsed.error.issues) {
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) {
        const property = [...issue.path.map(String), key].join(".");
        failures.push({ property, reason: `${spec.noun} ${property}: is not an input of ${spec.kind}` });
      }
      continue;
    }
    const property = issue.path.map(String).join(".") || "(inputs)";
    // A rule about a value preview does not know yet cannot be judged.
    if (unknown.some((u) => property === u || property.startsWith(`${u}.`) || u.startsWith(`${property}.`))) {
      continue;
    }
    // A rule about a map key is reported inside the issue (zod "invalid_key").
    const nested = "issues" in issue && Array.isArray(issue.issues) ? issue.issues[0] : undefined;
    const message = (nested as { message?: string } | undefined)?.message ?? issue.message;
    failures.push({ property, reason: `${spec.noun} ${property}: ${message}` });
  }
  return { inputs: news, failures };
}

// ---------------------------------------------------------------------------------------------
// Diff

function same(a: unknown, b: unknown): boolean {
  const norm = (v: unknown) => (v === null || v === "" ? undefined : v);
  return (
    JSON.stringify(stripUndefined(sortKeys(norm(a)))) === JSON.stringify(stripUndefined(sortKeys(norm(b))))
  );
}

function sortKeys(v: unknown): unknown {
  if (!v || typeof v !== "object" || Array.isArray(v)) return v;
  return Object.fromEntries(
    Object.keys(v)
      .sort()
      .map((k) => [k, sortKeys((v as Props)[k])]),
  );
}

export interface DiffResult {
  changes: boolean;
  replaces: string[];
  deleteBeforeReplace: boolean;
}

export function diffInputs<I extends Props, S extends Props>(
  spec: ResourceSpec<I, S>,
  olds: Props,
  news: I,
): DiffResult {
  const state = stateOf(spec, olds);
  const replaces: string[] = [];
  const updates: string[] = [];
  for (const key of spec.replaceOnChange) {
    let next: unknown = news[key];
    if (key === "region" && next === undefined) next = defaultRegion() ?? olds.region;
    if (next === undefined && spec.resolvedWhenOmitted?.includes(key)) continue;
    if (next === UNKNOWN || !same(olds[key], next)) replaces.push(key);
  }
  for (const key of spec.updatable ?? []) {
    if (news[key] === UNKNOWN || !same(olds[key], news[key])) updates.push(key);
  }
  if (spec.isFailed(state) && replaces.length === 0) replaces.push("status");
  const changes = replaces.length > 0 || updates.length > 0 || spec.isUnsettled(state);
  return {
    changes,
    replaces,
    deleteBeforeReplace: replaces.length > 0 && (spec.deleteBeforeReplace?.(state, news) ?? false),
  };
}

// ---------------------------------------------------------------------------------------------
// The provider methods the host calls (through the serialized shim).

export interface DynamicMethods {
  check(olds: Props, news: Props): Promise<{ inputs: Props; failures: CheckFailure[] }>;
  diff(id: string, olds: Props, news: Props): Promise<DiffResult>;
  create(inputs: Props): Promise<{ id: string; outs: Props }>;
  read(id: string, props: Props): Promise<{ id: string; props: Props; inputs?: Props }>;
  update(id: string, olds: Props, news: Props): Promise<{ outs: Props }>;
  delete(id: string, props: Props): Promise<void>;
}

function inputsOnly<I extends Props, S extends Props>(spec: ResourceSpec<I, S>, props: Props): I {
  const parsed = spec.inputs({ region: defaultRegion() }).safeParse(withoutPaths(props, []));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new HuaweiCloudError(`invalid ${spec.noun} input ${issue.path.join(".")}: ${issue.message}`, {
      kind: "input",
    });
  }
  return parsed.data;
}

function contextFor(spec: ResourceSpec<Props, Props>, props: Props, op: keyof Timeouts, id?: string) {
  const client = clientForCall();
  const timeoutMs = timeoutsOf(props, spec.defaultTimeouts)[op];
  let recorded: { id: string; outs: Props } | undefined;
  const ctx: OpContext = {
    client,
    region: regionFor(client, props, spec.noun),
    label: spec.labelOf(props, id),
    operation: op,
    deadline: Date.now() + timeoutMs,
    timeoutMs,
    recordId(newId, outs) {
      recorded = { id: newId, outs };
    },
    recordOutputs(outs) {
      if (recorded) recorded = { id: recorded.id, outs: layered(recorded.outs, outs) };
      else if (id) recorded = { id, outs };
    },
  };
  return { ctx, recorded: () => recorded };
}

/** Names the resource in errors raised below it (the client knows only the operation). */
function named(err: unknown, label: string): unknown {
  return err instanceof HuaweiCloudError ? err.withResource(label) : err;
}

/** The engine sends objects; anything else is treated as "nothing known" rather than a crash. */
function asProps(v: unknown): Props {
  return v && typeof v === "object" && !Array.isArray(v) ? (v as Props) : {};
}

/** Properties without `__provider` (and anything but an object read as none). */
function plainProps(v: unknown): Props {
  return withoutPaths(asProps(v), []) as Props;
}

export function providerFor<I extends Props, S extends Props>(specI: ResourceSpec<I, S>): DynamicMethods {
  const spec = specI as unknown as ResourceSpec<Props, Props>;
  const echo = (inputs: Props, region: string) => ({ ...plainProps(inputs), region });
  return {
    async check(olds, news) {
      return checkInputs(spec, news, asProps(olds));
    },

    async diff(_id, olds, news) {
      return diffInputs(spec, asProps(olds), asProps(news));
    },

    async create(props) {
      const inputs = inputsOnly(spec, props);
      const { ctx, recorded } = contextFor(spec, inputs, "create");
      try {
        const { id, outs } = await spec.create(ctx, inputs);
        return { id, outs: layered(echo(inputs, ctx.region), outs) };
      } catch (err) {
        const known = recorded();
        const e = named(err, ctx.label);
        if (known) {
          // The engine stores these properties as the outputs as they are; the host loads the
          // provider for refresh and destroy from their __provider, so it must be there.
          const properties = layered(echo(inputs, ctx.region), known.outs, { __provider: props.__provider });
          throw partialFailure(e, known.id, properties);
        }
        throw e;
      }
    },

    async read(id, props) {
      const { ctx } = contextFor(spec, props, "create", id);
      let outs: Props | undefined;
      try {
        outs = await spec.read(ctx, id, stateOf(spec, props));
      } catch (err) {
        throw named(err, ctx.label);
      }
      if (!outs) return { id: "", props: {} };
      const merged = layered(plainProps(props), outs);
      const inputs = Object.fromEntries(Object.entries(merged).filter(([k]) => k in spec.inputs().shape));
      return { id, props: merged, inputs };
    },

    async update(id, olds, news) {
      const inputs = inputsOnly(spec, news);
      const { ctx, recorded } = contextFor(spec, inputs, "update", id);
      const before = plainProps(olds);
      try {
        const outs = spec.update ? await spec.update(ctx, id, stateOf(spec, olds), inputs) : {};
        return { outs: layered(before, echo(inputs, ctx.region), outs) };
      } catch (err) {
        // The resource exists whatever happened: keep it in state with the latest that is known.
        const properties = layered(before, recorded()?.outs ?? {}, {
          __provider: news.__provider ?? olds.__provider,
        });
        throw partialFailure(named(err, ctx.label), id, properties);
      }
    },

    async delete(id, props) {
      const { ctx } = contextFor(spec, props, "delete", id);
      try {
        await spec.delete(ctx, id, stateOf(spec, props));
      } catch (err) {
        throw named(err, ctx.label);
      }
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Waiting, as every resource does it

/**
 * Deletes report no progress, and most finish within a second or two: poll early, then back off.
 */
export const DELETE_FIRST_POLL_MS = 400;

export interface WaitSpec<T> {
  /** "to become available" */
  goal: string;
  poll: () => Promise<Observation<T>>;
  startedAt?: number;
  pollImmediately?: boolean;
  /** Delay before the first poll, when it is known to be short (deletes report no progress). */
  firstDelayMs?: number;
  /** What to tell the user when the cloud reports a terminal failure. */
  failureHint?: string;
  /** Extra words for a failure, e.g. the cloud's fail_reason. */
  failureDetail?: (o: Observation<T>) => string | undefined;
  /** The outputs an observation shows, recorded so a failure keeps the latest in state. */
  outputs?: (value: T) => Props;
}

/**
 * Waits with the shared waiter until the goal, within the operation's deadline. Returns the last
 * observation on success (or when the thing is gone, for callers that wait for that); throws a
 * HuaweiCloudError naming status, progress and what was seen on failure or timeout.
 */
export async function waitUntil<T>(ctx: OpContext, spec: WaitSpec<T>): Promise<Observation<T>> {
  const result = await waitFor({
    poll: spec.poll,
    timeoutMs: Math.max(0, ctx.deadline - Date.now()),
    startedAt: spec.startedAt,
    pollImmediately: spec.pollImmediately,
    firstDelayMs: spec.firstDelayMs,
    onObservation: spec.outputs ? (o) => ctx.recordOutputs(spec.outputs!(o.value)) : undefined,
  });
  const last = result.last;
  const status = last
    ? `status ${last.status}${last.progress !== undefined ? ` at ${last.progress}%` : ""}`
    : "no answer";
  switch (result.outcome) {
    case "success":
    case "gone":
      return last!;
    case "failure": {
      const detail = last ? spec.failureDetail?.(last) : undefined;
      throw new HuaweiCloudError(
        `ended in ${status}${detail ? ` (${detail})` : ""} instead of ${spec.goal}`,
        {
          kind: "failed",
          resource: ctx.label,
          hint: spec.failureHint,
        },
      );
    }
    case "error":
      throw named(result.error, ctx.label);
    default:
      throw new HuaweiCloudError(
        `still ${status} after ${formatDuration(result.elapsedMs)}, waiting ${spec.goal} ` +
          `(${result.polls} polls: ${describeStatuses(result.statuses)})`,
        {
          kind: "timeout",
          resource: ctx.label,
          hint:
            "It is kept in state, so nothing is lost: running the same command again resumes waiting without " +
            `starting another. If it needs longer, raise the resource's \`timeouts\` (e.g. timeouts: { ${ctx.operation}: "2h" }).`,
        },
      );
  }
}
