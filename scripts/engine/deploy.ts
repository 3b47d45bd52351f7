/**
 * A small stand-in for the engine's deployment loop over captured resources: `up` (Check + Create),
 * `refresh` (Read) and `destroy` (Delete), each step through a real provider host (host.ts).
 *
 * What it models from the engine: creation in dependency order with independent resources in
 * parallel, deletion in reverse dependency order, partial failures (ErrorResourceInitFailed) kept in
 * state so destroy removes them, refresh dropping resources whose Read returns an empty id, and
 * dependents skipped when what they depend on failed. What it does not: diffs against old state,
 * updates/replacements, resource options, state files (see docs/engine.md).
 *
 * Outputs of one resource flowing into another: `capture` mocks ids as `@@id:<urn>@@`, so any input
 * string holding that token gets the real id. A preview capture leaves such inputs as the unknown
 * sentinel; then, if the input depends on exactly one resource, the driver takes that resource's
 * output of the same name, else its id.
 */
import type { CapturedResource } from "./capture";
import { ProviderCallError, type ProviderHost } from "./host";
import { ID_TOKEN_PREFIX, ID_TOKEN_SUFFIX, type PropertyMap, type PropertyValue, UNKNOWN } from "./protocol";

export type Operation = "up" | "refresh" | "destroy";
export type Step = "check" | "create" | "read" | "delete";
export type Status = "running" | "ok" | "failed" | "gone" | "skipped";

export interface ProgressEvent {
  operation: Operation;
  urn: string;
  name: string;
  type: string;
  step: Step;
  status: Status;
  id?: string;
  /** Since this resource's operation started. */
  elapsedMs: number;
  error?: string;
}

/** The final outcome of one resource in one operation. */
export interface StepReport {
  operation: Operation;
  urn: string;
  name: string;
  type: string;
  /** The last step attempted. */
  step: Step;
  status: Exclude<Status, "running">;
  id?: string;
  elapsedMs: number;
  error?: string;
  /** ErrorResourceInitFailed reasons, when the host sent them. */
  reasons?: string[];
}

export interface ResourceState {
  urn: string;
  type: string;
  name: string;
  id: string;
  inputs: PropertyMap;
  outputs: PropertyMap;
  /** Urns this resource depends on (for delete ordering). */
  dependencies: string[];
  /** True when recorded from a partial failure. */
  partial: boolean;
}

export interface DeploymentOptions {
  host: ProviderHost;
  resources: CapturedResource[];
  onProgress?: (e: ProgressEvent) => void;
  /** Run independent resources concurrently, as the engine does. Default true. */
  parallel?: boolean;
}

const TOKEN = new RegExp(
  `${escapeRegExp(ID_TOKEN_PREFIX)}(urn:pulumi:.*?)${escapeRegExp(ID_TOKEN_SUFFIX)}`,
  "g",
);

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** URNs referenced by id tokens anywhere in a value. */
function tokenUrns(v: unknown, out = new Set<string>()): Set<string> {
  if (typeof v === "string") for (const m of v.matchAll(TOKEN)) out.add(m[1]!);
  else if (Array.isArray(v)) for (const x of v) tokenUrns(x, out);
  else if (typeof v === "object" && v !== null) for (const x of Object.values(v)) tokenUrns(x, out);
  return out;
}

function replaceTokens(v: PropertyValue, ids: (urn: string) => string): PropertyValue {
  if (typeof v === "string") return v.replace(TOKEN, (_, u: string) => ids(u));
  if (Array.isArray(v)) return v.map((x) => replaceTokens(x, ids));
  if (typeof v === "object" && v !== null) {
    const out: PropertyMap = {};
    for (const [k, x] of Object.entries(v)) out[k] = replaceTokens(x, ids);
    return out;
  }
  return v;
}

export function isDynamic(r: CapturedResource): boolean {
  return r.custom && r.type.startsWith("pulumi-nodejs:dynamic");
}

export class Deployment {
  /** The stand-in for the checkpoint: urn → state, in creation order. */
  readonly state = new Map<string, ResourceState>();
  private readonly resources: CapturedResource[];

  constructor(private readonly options: DeploymentOptions) {
    this.resources = options.resources.filter(isDynamic);
  }

  /** Everything a resource waits for: recorded dependencies plus id tokens in its inputs. */
  private dependenciesOf(r: CapturedResource): string[] {
    const known = new Set(this.resources.map((x) => x.urn));
    const deps = new Set([...r.dependencies, ...Object.values(r.propertyDependencies).flat()]);
    for (const u of tokenUrns(r.inputs)) deps.add(u);
    return [...deps].filter((u) => known.has(u) && u !== r.urn);
  }

  /** Inputs with other resources' real ids/outputs substituted; throws naming what is missing. */
  resolveInputs(r: CapturedResource): PropertyMap {
    const idOf = (u: string) => {
      const s = this.state.get(u);
      if (!s || s.partial) throw new Error(`depends on ${u}, which was not created`);
      return s.id;
    };
    const inputs = replaceTokens(r.inputs, idOf) as PropertyMap;
    for (const [key, value] of Object.entries(inputs)) {
      if (value !== UNKNOWN) continue;
      const from = r.propertyDependencies[key] ?? [];
      if (from.length !== 1) continue; // stays unknown: the host sees what a preview would send
      const dep = from[0]!;
      idOf(dep);
      const s = this.state.get(dep)!;
      inputs[key] = key in s.outputs ? s.outputs[key]! : s.id;
    }
    return inputs;
  }

  private emit(e: Omit<ProgressEvent, "elapsedMs">, started: number): void {
    this.options.onProgress?.({ ...e, elapsedMs: Date.now() - started });
  }

  /** Reports a resource's final outcome: the last progress event, and the step report. */
  private finish(report: Omit<StepReport, "elapsedMs">, started: number): StepReport {
    const { reasons: _reasons, ...event } = report;
    this.emit(event, started);
    return { ...report, elapsedMs: Date.now() - started };
  }

  /** Runs `fn` per item once its prerequisites finished (all at once when parallel, else in order). */
  private async schedule<T extends { urn: string }>(
    items: T[],
    prerequisites: (item: T) => string[],
    fn: (item: T, failedPrerequisite: string | undefined) => Promise<StepReport>,
  ): Promise<StepReport[]> {
    const parallel = this.options.parallel ?? true;
    const done = new Map<string, Promise<StepReport>>();
    const reports: StepReport[] = [];
    let chain: Promise<unknown> = Promise.resolve();
    for (const item of items) {
      const run = async () => {
        await null; // let the loop register every item first, so prerequisites later in the list are seen
        const before = await Promise.all(
          prerequisites(item)
            .map((u) => done.get(u))
            .filter((p) => p),
        );
        const failed = before.find((b) => b && b.status !== "ok" && b.status !== "gone");
        return fn(item, failed?.urn);
      };
      const p = parallel ? run() : chain.then(run);
      chain = p;
      done.set(item.urn, p);
    }
    for (const item of items) reports.push(await done.get(item.urn)!);
    return reports;
  }

  /** Check + Create every resource not yet in state. */
  up(): Promise<StepReport[]> {
    const todo = this.resources.filter((r) => !this.state.has(r.urn));
    return this.schedule(
      todo,
      (r) => this.dependenciesOf(r),
      async (r, failedDep) => {
        const started = Date.now();
        const base = { operation: "up" as const, urn: r.urn, name: r.name, type: r.type };
        if (failedDep) {
          const error = `skipped: ${failedDep} failed`;
          return this.finish({ ...base, step: "check", status: "skipped", error }, started);
        }
        let step: Step = "check";
        try {
          this.emit({ ...base, step, status: "running" }, started);
          const checked = await this.options.host.check(r.urn, {}, this.resolveInputs(r));
          if (checked.failures.length > 0) {
            const error = checked.failures.map((f) => `${f.property}: ${f.reason}`).join("; ");
            return this.finish({ ...base, step, status: "failed", error }, started);
          }
          step = "create";
          this.emit({ ...base, step, status: "running" }, started);
          const created = await this.options.host.create(r.urn, checked.inputs);
          this.state.set(r.urn, {
            urn: r.urn,
            type: r.type,
            name: r.name,
            id: created.id,
            inputs: checked.inputs,
            outputs: created.outputs,
            dependencies: this.dependenciesOf(r),
            partial: false,
          });
          return this.finish({ ...base, step, status: "ok", id: created.id }, started);
        } catch (e) {
          const error = e instanceof Error ? e.message : String(e);
          const init = e instanceof ProviderCallError ? e.initFailure : undefined;
          if (init) {
            // As the engine does for StatusPartialFailure: keep it in state so destroy removes it.
            this.state.set(r.urn, {
              urn: r.urn,
              type: r.type,
              name: r.name,
              id: init.id,
              inputs: r.inputs,
              outputs: init.properties,
              dependencies: this.dependenciesOf(r),
              partial: true,
            });
          }
          return this.finish(
            {
              ...base,
              step,
              status: "failed",
              error,
              ...(init ? { id: init.id, reasons: init.reasons } : {}),
            },
            started,
          );
        }
      },
    );
  }

  /** Read every resource in state; an empty id drops it from state (status "gone"). */
  refresh(): Promise<StepReport[]> {
    const items = [...this.state.values()];
    return this.schedule(
      items,
      () => [],
      async (s) => {
        const started = Date.now();
        const base = {
          operation: "refresh" as const,
          urn: s.urn,
          name: s.name,
          type: s.type,
          step: "read" as const,
        };
        this.emit({ ...base, status: "running", id: s.id }, started);
        try {
          const read = await this.options.host.read(s.urn, s.id, s.outputs, s.inputs);
          if (!read.id) {
            this.state.delete(s.urn);
            return this.finish({ ...base, status: "gone", id: s.id }, started);
          }
          this.state.set(s.urn, {
            ...s,
            id: read.id,
            outputs: read.outputs,
            inputs: read.inputs ?? s.inputs,
          });
          return this.finish({ ...base, status: "ok", id: read.id }, started);
        } catch (e) {
          const error = e instanceof Error ? e.message : String(e);
          return this.finish({ ...base, status: "failed", id: s.id, error }, started);
        }
      },
    );
  }

  /** Delete everything in state, dependents before what they depend on. */
  destroy(): Promise<StepReport[]> {
    const items = [...this.state.values()].reverse();
    const dependents = (u: string) => items.filter((x) => x.dependencies.includes(u)).map((x) => x.urn);
    return this.schedule(
      items,
      (s) => dependents(s.urn),
      async (s, failedDependent) => {
        const started = Date.now();
        const base = {
          operation: "destroy" as const,
          urn: s.urn,
          name: s.name,
          type: s.type,
          step: "delete" as const,
          id: s.id,
        };
        if (failedDependent) {
          const error = `skipped: ${failedDependent} could not be deleted`;
          return this.finish({ ...base, status: "skipped", error }, started);
        }
        this.emit({ ...base, status: "running" }, started);
        try {
          await this.options.host.delete(s.urn, s.id, s.outputs, { oldInputs: s.inputs });
          this.state.delete(s.urn);
          return this.finish({ ...base, status: "ok" }, started);
        } catch (e) {
          const error = e instanceof Error ? e.message : String(e);
          return this.finish({ ...base, status: "failed", error }, started);
        }
      },
    );
  }
}
