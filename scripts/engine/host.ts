/**
 * Starts `@pulumi/pulumi`'s dynamic provider host the way the Pulumi engine does and talks to it over
 * gRPC with the engine's marshalling (see protocol.ts). Launch as in the engine's
 * sdk/go/common/resource/plugin/plugin.go `newPlugin` / provider_plugin.go `NewProvider`:
 * - `node <@pulumi/pulumi/cmd/dynamic-provider> <engine address>` (what the `pulumi-resource-pulumi-nodejs`
 *   shim runs), working directory = the Pulumi project directory;
 * - environment = ours + `PULUMI_NODEJS_PROJECT`, `PULUMI_PROJECT` and `PULUMI_CONFIG` (JSON);
 * - exactly the first stdout line is the port; everything later on stdout/stderr is diagnostics.
 * The host never dials the engine address (it only checks that one was given).
 */
import { type ChildProcess, spawn } from "node:child_process";
import * as grpc from "@grpc/grpc-js";
import { ResourceProviderClient } from "@pulumi/pulumi/proto/provider_grpc_pb";
import * as provproto from "@pulumi/pulumi/proto/provider_pb";
import * as statusproto from "@pulumi/pulumi/proto/status_pb";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { annotateSecrets, dropUndefined, type PropertyMap, parseUrn, stripSecrets } from "./protocol";

export interface HostOptions {
  /** The Pulumi project directory: the host's working directory, where `__provider`'s requires resolve. */
  projectDir: string;
  /** Project name (PULUMI_NODEJS_PROJECT / PULUMI_PROJECT). */
  project: string;
  /** Stack config passed as PULUMI_CONFIG (`project:key` names), as the engine does for plugins. */
  config?: Record<string, string>;
  /** Environment the host inherits; defaults to process.env. */
  baseEnv?: NodeJS.ProcessEnv;
  /** Added to / overriding baseEnv (undefined removes a variable). */
  env?: Record<string, string | undefined>;
  /** The engine address argument. The Node host only checks that it is present. */
  engineAddress?: string;
  /** How long to wait for the port line. Default 30 s. */
  startTimeoutMs?: number;
  /** Deadline of each gRPC call. Default 120 s. */
  callTimeoutMs?: number;
}

/** `pulumirpc.ErrorResourceInitFailed`: the resource exists (id) but did not finish initialising. */
export interface InitFailure {
  id: string;
  properties: PropertyMap;
  reasons: string[];
}

/** A failed provider call: the gRPC status, and the partial-failure details when the host sent them. */
export class ProviderCallError extends Error {
  constructor(
    readonly method: string,
    readonly code: grpc.status,
    readonly details: string,
    readonly initFailure?: InitFailure,
  ) {
    super(`${method}: ${grpc.status[code] ?? code}: ${details}`);
    this.name = "ProviderCallError";
  }
}

export interface CheckResult {
  inputs: PropertyMap;
  failures: { property: string; reason: string }[];
}

export type DiffChanges = "none" | "some" | "unknown";
export interface DiffResult {
  changes: DiffChanges;
  replaces: string[];
  deleteBeforeReplace: boolean;
}

export interface CreateResult {
  id: string;
  outputs: PropertyMap;
}

export interface ReadResult {
  /** Empty when the resource is gone. */
  id: string;
  outputs: PropertyMap;
  inputs?: PropertyMap;
}

export interface ConfigureOptions {
  acceptSecrets?: boolean;
  acceptResources?: boolean;
  sendsOldInputs?: boolean;
  sendsOldInputsToDelete?: boolean;
}

export interface ConfigureResult {
  acceptSecrets: boolean;
  supportsPreview: boolean;
  acceptResources: boolean;
  acceptOutputs: boolean;
}

const DIFF_CHANGES: Record<number, DiffChanges> = {
  [provproto.DiffResponse.DiffChanges.DIFF_NONE]: "none",
  [provproto.DiffResponse.DiffChanges.DIFF_SOME]: "some",
  [provproto.DiffResponse.DiffChanges.DIFF_UNKNOWN]: "unknown",
};

function toStruct(props: PropertyMap): Struct {
  return Struct.fromJavaScript(dropUndefined(props) as any);
}

function fromStruct(s: Struct | undefined): PropertyMap {
  return (s?.toJavaScript() ?? {}) as PropertyMap;
}

/** Sets the URN and the name and type taken from it, as the engine fills every resource request. */
function addressed<R extends { setUrn(v: string): R; setName(v: string): R; setType(v: string): R }>(
  req: R,
  resourceUrn: string,
): R {
  const { name, type } = parseUrn(resourceUrn);
  return req.setUrn(resourceUrn).setName(name).setType(type);
}

/** The wire form the engine sends to this host: secrets stripped (acceptSecrets=false), no undefined. */
function plain(props: PropertyMap): Struct {
  return toStruct(stripSecrets(props));
}

/** Decodes `pulumirpc.ErrorResourceInitFailed` from the `grpc-status-details-bin` trailer, if any. */
export function decodeInitFailure(metadata: grpc.Metadata | undefined): InitFailure | undefined {
  const raw = metadata?.get("grpc-status-details-bin")[0];
  if (!raw) return undefined;
  const status = statusproto.Status.deserializeBinary(new Uint8Array(raw as Buffer));
  for (const any of status.getDetailsList()) {
    if (any.getTypeName() !== "pulumirpc.ErrorResourceInitFailed") continue;
    const detail = provproto.ErrorResourceInitFailed.deserializeBinary(any.getValue_asU8());
    return {
      id: detail.getId(),
      properties: fromStruct(detail.getProperties()),
      reasons: detail.getReasonsList(),
    };
  }
  return undefined;
}

/** Reads the first line of a stream; rejects if the process exits first or the timeout passes. */
function firstLine(child: ChildProcess, timeoutMs: number, stderr: () => string): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = "";
    const done = (err?: Error, line?: string) => {
      clearTimeout(timer);
      child.stdout!.off("data", onData);
      child.off("exit", onExit);
      if (err) reject(err);
      else resolve(line!);
    };
    const onData = (chunk: Buffer) => {
      buf += chunk.toString("utf8");
      const nl = buf.indexOf("\n");
      if (nl >= 0) done(undefined, buf.slice(0, nl).trim());
    };
    const onExit = (code: number | null, signal: string | null) =>
      done(
        new Error(
          `provider host exited (code ${code}, signal ${signal}) before printing its port:\n${stderr()}`,
        ),
      );
    const timer = setTimeout(
      () => done(new Error(`provider host printed no port within ${timeoutMs} ms:\n${stderr()}`)),
      timeoutMs,
    );
    child.stdout!.on("data", onData);
    child.once("exit", onExit);
  });
}

const MAX_LOG = 4 * 1024 * 1024;

/** A running provider host and a typed client for it. Create with `startHost`. */
export class ProviderHost {
  private stderrText = "";
  private stdoutText = "";
  private exited = false;
  private readonly exitPromise: Promise<void>;

  private constructor(
    readonly child: ChildProcess,
    readonly options: HostOptions,
  ) {
    child.stderr!.on("data", (c: Buffer) => {
      if (this.stderrText.length < MAX_LOG) this.stderrText += c.toString("utf8");
    });
    this.exitPromise = new Promise((resolve) =>
      child.once("exit", () => {
        this.exited = true;
        resolve();
      }),
    );
  }

  client!: ResourceProviderClient;
  port = 0;
  /** Milliseconds from spawn to a ready gRPC channel. */
  startMs = 0;

  /** Everything the host wrote to stderr so far (bounded). */
  get stderr(): string {
    return this.stderrText;
  }
  /** Everything the host wrote to stdout after the port line. */
  get stdout(): string {
    return this.stdoutText;
  }
  get pid(): number {
    return this.child.pid!;
  }

  static async start(options: HostOptions): Promise<ProviderHost> {
    const started = Date.now();
    const entry = require.resolve("@pulumi/pulumi/cmd/dynamic-provider", { paths: [options.projectDir] });
    const env: NodeJS.ProcessEnv = { ...(options.baseEnv ?? process.env) };
    for (const [k, v] of Object.entries(options.env ?? {})) {
      if (v === undefined) delete env[k];
      else env[k] = v;
    }
    env.PULUMI_NODEJS_PROJECT = options.project;
    env.PULUMI_PROJECT = options.project;
    if (options.config) env.PULUMI_CONFIG = JSON.stringify(options.config);
    const child = spawn(process.execPath, [entry, options.engineAddress ?? "127.0.0.1:1"], {
      cwd: options.projectDir,
      env,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const host = new ProviderHost(child, options);
    try {
      const line = await firstLine(child, options.startTimeoutMs ?? 30_000, () => host.stderr);
      host.port = Number(line);
      if (!Number.isInteger(host.port) || host.port <= 0) throw new Error(`bad port line from host: ${line}`);
      child.stdout!.on("data", (c: Buffer) => {
        if (host.stdoutText.length < MAX_LOG) host.stdoutText += c.toString("utf8");
      });
      host.client = new ResourceProviderClient(`127.0.0.1:${host.port}`, grpc.credentials.createInsecure());
      await new Promise<void>((resolve, reject) =>
        host.client.waitForReady(Date.now() + (options.startTimeoutMs ?? 30_000), (e) =>
          e ? reject(e) : resolve(),
        ),
      );
      host.startMs = Date.now() - started;
      return host;
    } catch (e) {
      await host.close();
      throw e;
    }
  }

  /** Closes the channel and kills the host's process group; waits for the exit. Idempotent. */
  async close(): Promise<void> {
    this.client?.close();
    if (!this.exited && this.child.pid) {
      const kill = (sig: NodeJS.Signals) => {
        try {
          process.kill(-this.child.pid!, sig);
        } catch {
          // already gone
        }
      };
      kill("SIGTERM");
      const timer = setTimeout(() => kill("SIGKILL"), 5_000);
      await this.exitPromise;
      clearTimeout(timer);
    }
    this.child.stdout?.destroy();
    this.child.stderr?.destroy();
  }

  private call<Res>(method: string, req: unknown, timeoutMs?: number): Promise<Res> {
    const deadline = Date.now() + (timeoutMs ?? this.options.callTimeoutMs ?? 120_000);
    const fn = (this.client as any)[method] as (...args: unknown[]) => unknown;
    return new Promise((resolve, reject) => {
      fn.call(
        this.client,
        req,
        new grpc.Metadata(),
        { deadline },
        (err: grpc.ServiceError | null, res: Res) => {
          if (err) {
            reject(new ProviderCallError(method, err.code, err.details, decodeInitFailure(err.metadata)));
          } else resolve(res);
        },
      );
    });
  }

  /** The dynamic provider host does not implement Handshake: expect UNIMPLEMENTED (the engine falls back). */
  async handshake(): Promise<void> {
    const req = new provproto.ProviderHandshakeRequest();
    req.setEngineAddress("127.0.0.1:1");
    await this.call("handshake", req);
  }

  async getPluginInfo(): Promise<{ version: string }> {
    const res = await this.call<{ getVersion(): string }>("getPluginInfo", new Empty());
    return { version: res.getVersion() };
  }

  /**
   * Configure with the stack config (`project:key` → value; sig-wrapped secrets are sent as such, as the
   * engine does before it knows whether the provider accepts secrets).
   */
  async configure(config: PropertyMap, opts: ConfigureOptions = {}): Promise<ConfigureResult> {
    const req = new provproto.ConfigureRequest();
    const variables = req.getVariablesMap();
    for (const [k, v] of Object.entries(stripSecrets(config))) {
      variables.set(k, typeof v === "string" ? v : JSON.stringify(v));
    }
    req.setArgs(toStruct(config));
    req.setAcceptsecrets(opts.acceptSecrets ?? true);
    req.setAcceptresources(opts.acceptResources ?? true);
    req.setSendsOldInputs(opts.sendsOldInputs ?? true);
    req.setSendsOldInputsToDelete(opts.sendsOldInputsToDelete ?? true);
    const res = await this.call<provproto.ConfigureResponse>("configure", req);
    return {
      acceptSecrets: res.getAcceptsecrets(),
      supportsPreview: res.getSupportspreview(),
      acceptResources: res.getAcceptresources(),
      acceptOutputs: res.getAcceptoutputs(),
    };
  }

  /** Check(olds = old inputs, news = new inputs). Secrets are stripped (acceptSecrets=false). */
  async check(resourceUrn: string, olds: PropertyMap, news: PropertyMap): Promise<CheckResult> {
    const req = addressed(new provproto.CheckRequest(), resourceUrn);
    req.setOlds(plain(olds));
    req.setNews(plain(news));
    const res = await this.call<provproto.CheckResponse>("check", req);
    return {
      inputs: annotateSecrets(fromStruct(res.getInputs()), news),
      failures: res.getFailuresList().map((f) => ({ property: f.getProperty(), reason: f.getReason() })),
    };
  }

  /** Diff(olds = old outputs, news = new checked inputs, oldInputs). */
  async diff(
    resourceUrn: string,
    id: string,
    oldOutputs: PropertyMap,
    news: PropertyMap,
    oldInputs?: PropertyMap,
  ): Promise<DiffResult> {
    const req = addressed(new provproto.DiffRequest(), resourceUrn);
    req.setId(id);
    req.setOlds(plain(oldOutputs));
    req.setNews(plain(news));
    if (oldInputs) req.setOldInputs(plain(oldInputs));
    const res = await this.call<provproto.DiffResponse>("diff", req);
    return {
      changes: DIFF_CHANGES[res.getChanges()] ?? "unknown",
      replaces: res.getReplacesList(),
      deleteBeforeReplace: res.getDeletebeforereplace(),
    };
  }

  /** Create(checked inputs). Outputs are re-annotated with the inputs' secrets. */
  async create(
    resourceUrn: string,
    inputs: PropertyMap,
    opts: { preview?: boolean; timeoutSeconds?: number } = {},
  ): Promise<CreateResult> {
    const req = addressed(new provproto.CreateRequest(), resourceUrn);
    req.setProperties(plain(inputs));
    req.setPreview(opts.preview ?? false);
    if (opts.timeoutSeconds) req.setTimeout(opts.timeoutSeconds);
    try {
      const res = await this.call<provproto.CreateResponse>("create", req);
      return { id: res.getId(), outputs: annotateSecrets(fromStruct(res.getProperties()), inputs) };
    } catch (e) {
      throw annotateInitFailure(e, inputs);
    }
  }

  /** Read(id, state outputs, old inputs). An empty id in the result means the resource is gone. */
  async read(
    resourceUrn: string,
    id: string,
    outputs: PropertyMap,
    inputs?: PropertyMap,
  ): Promise<ReadResult> {
    const req = addressed(new provproto.ReadRequest(), resourceUrn);
    req.setId(id);
    req.setProperties(plain(outputs));
    if (inputs) req.setInputs(plain(inputs));
    const res = await this.call<provproto.ReadResponse>("read", req);
    const newInputs = res.getInputs() ? annotateSecrets(fromStruct(res.getInputs()), inputs) : undefined;
    return {
      id: res.getId(),
      // provider_plugin.go Read: new state is annotated against the old state, new inputs against old inputs.
      outputs: annotateSecrets(fromStruct(res.getProperties()), outputs),
      ...(newInputs ? { inputs: newInputs } : {}),
    };
  }

  /** Update(id, olds = old outputs, news = new checked inputs, oldInputs). */
  async update(
    resourceUrn: string,
    id: string,
    oldOutputs: PropertyMap,
    news: PropertyMap,
    opts: { oldInputs?: PropertyMap; preview?: boolean; timeoutSeconds?: number } = {},
  ): Promise<{ outputs: PropertyMap }> {
    const req = addressed(new provproto.UpdateRequest(), resourceUrn);
    req.setId(id);
    req.setOlds(plain(oldOutputs));
    req.setNews(plain(news));
    if (opts.oldInputs) req.setOldInputs(plain(opts.oldInputs));
    req.setPreview(opts.preview ?? false);
    if (opts.timeoutSeconds) req.setTimeout(opts.timeoutSeconds);
    try {
      const res = await this.call<provproto.UpdateResponse>("update", req);
      return { outputs: annotateSecrets(fromStruct(res.getProperties()), news) };
    } catch (e) {
      throw annotateInitFailure(e, news);
    }
  }

  /** Delete(id, state outputs, old inputs). */
  async delete(
    resourceUrn: string,
    id: string,
    outputs: PropertyMap,
    opts: { oldInputs?: PropertyMap; timeoutSeconds?: number } = {},
  ): Promise<void> {
    const req = addressed(new provproto.DeleteRequest(), resourceUrn);
    req.setId(id);
    req.setProperties(plain(outputs));
    if (opts.oldInputs) req.setOldInputs(plain(opts.oldInputs));
    if (opts.timeoutSeconds) req.setTimeout(opts.timeoutSeconds);
    await this.call("delete", req);
  }
}

/** Partial-failure properties are outputs too: the engine re-marks their secrets the same way. */
function annotateInitFailure(e: unknown, inputs: PropertyMap): unknown {
  if (e instanceof ProviderCallError && e.initFailure) {
    const f = e.initFailure;
    return new ProviderCallError(e.method, e.code, e.details, {
      ...f,
      properties: annotateSecrets(f.properties, inputs),
    });
  }
  return e;
}

/** Starts a provider host as the engine would. Always `close()` it. */
export function startHost(options: HostOptions): Promise<ProviderHost> {
  return ProviderHost.start(options);
}
