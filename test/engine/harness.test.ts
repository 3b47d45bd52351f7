/**
 * The engine harness itself, against a tiny fixture dynamic provider (test/engine/fixtures): capture
 * under setMocks in a child node process, the real provider host over gRPC, the engine's secret and
 * unknown marshalling, partial failures, and the deployment driver's ordering and substitution.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type CapturedResource,
  capture,
  Deployment,
  isSecret,
  type ProgressEvent,
  ProviderCallError,
  type ProviderHost,
  SIG_KEY,
  secret,
  startHost,
  UNKNOWN,
  urn,
} from "../../scripts/engine";
import { findLeaks, fixtureProject, tempDir } from "./helpers";

const PROJECT = "fx";
const STACK = "dev";
const TOKEN = "FIXTURE-TOKEN-7c1d55e0";
const SECRET_TEXT = "FIXTURE-SECRET-TEXT-93ab";

let cleanup: () => void;
let projectDir: string;
let program: string;
let dataDir: string;
let host: ProviderHost;
let resources: CapturedResource[];

beforeAll(async () => {
  const tmp = tempDir("engine-fixture-");
  cleanup = tmp.cleanup;
  projectDir = path.join(tmp.dir, "project");
  dataDir = path.join(tmp.dir, "data");
  fs.mkdirSync(dataDir, { recursive: true });
  program = fixtureProject(projectDir);
  const [captured, started] = await Promise.all([
    capture({
      program,
      project: PROJECT,
      stack: STACK,
      config: { [`${PROJECT}:text`]: "hello", [`${PROJECT}:secretText`]: SECRET_TEXT },
      secretKeys: [`${PROJECT}:secretText`],
    }),
    startHost({ projectDir, project: PROJECT }),
  ]);
  resources = captured.resources;
  host = started;
  await host.configure({ "fixture:dir": dataDir, "fixture:token": secret(TOKEN) });
});

afterAll(async () => {
  await host?.close();
  cleanup?.();
});

const byName = (name: string) => resources.find((r) => r.name === name)!;

describe("capture", () => {
  it("records each registered resource with the real serialized provider and sig-wrapped secrets", () => {
    expect(resources.map((r) => r.type)).toEqual([
      "pulumi-nodejs:dynamic/fixture:Note",
      "pulumi-nodejs:dynamic/fixture:Link",
    ]);
    const note = byName("note");
    expect(note.urn).toBe(urn(STACK, PROJECT, note.type, "note"));
    expect(note.inputs.__provider).toMatch(/exports\.handler = /);
    expect(note.inputs.__provider).toContain('require("engine-fixture/impl")');
    expect(isSecret(note.inputs.secretText)).toBe(true);
    expect(note.inputs).not.toHaveProperty("failAfterCreate"); // undefined inputs are omitted
    const link = byName("link");
    expect(link.dependencies).toEqual([note.urn]);
    expect(link.propertyDependencies.noteId).toEqual([note.urn]);
  });

  it("in preview, an input built from another resource's id is the unknown sentinel", async () => {
    const preview = await capture({ program, project: PROJECT, stack: STACK, preview: true });
    const link = preview.resources.find((r) => r.name === "link")!;
    expect(link.inputs.noteId).toBe(UNKNOWN);
    // Check runs with the sentinel, as in `pulumi preview`.
    const checked = await host.check(link.urn, {}, link.inputs);
    expect(checked.failures).toEqual([]);
    expect(checked.inputs.noteId).toBe(UNKNOWN);
  });
});

describe("provider host", () => {
  it("answers Handshake with UNIMPLEMENTED and GetPluginInfo with the SDK version", async () => {
    await expect(host.handshake()).rejects.toMatchObject({ code: 12 });
    expect((await host.getPluginInfo()).version).toBe("3.248.0");
  });

  it("Configure says acceptSecrets=false, so the provider only ever sees plain values", async () => {
    const res = await host.configure({ "fixture:dir": dataDir, "fixture:token": secret(TOKEN) });
    expect(res.acceptSecrets).toBe(false);
  });

  it("returns Check failures as CheckFailure", async () => {
    const note = byName("note");
    const res = await host.check(note.urn, {}, { ...note.inputs, text: "" });
    expect(res.failures).toEqual([{ property: "text", reason: "text must be a non-empty string" }]);
  });

  it("runs create, read, diff, update, delete and read-after-delete", async () => {
    const note = byName("note");
    const checked = await host.check(note.urn, {}, note.inputs);
    const created = await host.create(note.urn, checked.inputs);
    expect(created.outputs).toMatchObject({ text: "hello", length: 5, configured: true });
    expect(created.outputs.__provider).toBe(note.inputs.__provider);
    // annotateSecrets: the output named like a secret input is secret again.
    expect(isSecret(created.outputs.secretText)).toBe(true);

    const read = await host.read(note.urn, created.id, created.outputs, checked.inputs);
    expect(read.id).toBe(created.id);

    expect((await host.diff(note.urn, created.id, created.outputs, checked.inputs)).changes).toBe("none");
    const news = { ...checked.inputs, text: "changed" };
    expect(await host.diff(note.urn, created.id, created.outputs, news)).toMatchObject({
      changes: "some",
      replaces: [],
    });
    const updated = await host.update(note.urn, created.id, created.outputs, news, {
      oldInputs: checked.inputs,
    });
    expect(updated.outputs).toMatchObject({ text: "changed", length: 7 });

    await host.delete(note.urn, created.id, updated.outputs, { oldInputs: news });
    expect((await host.read(note.urn, created.id, updated.outputs)).id).toBe("");
  });

  it("a create that fails after the side effect returns ErrorResourceInitFailed with id and properties", async () => {
    const note = byName("note");
    const inputs = { ...note.inputs, failAfterCreate: true };
    const err = await host.create(note.urn, inputs).catch((e) => e);
    expect(err).toBeInstanceOf(ProviderCallError);
    expect(err.initFailure).toMatchObject({ reasons: ["not ready"], properties: { text: "hello" } });
    expect(err.initFailure.id).toMatch(/^[0-9a-f]{12}$/);
    expect(isSecret(err.initFailure.properties.secretText)).toBe(true);
    expect(err.initFailure.properties.__provider).toBe(note.inputs.__provider);
    await host.delete(note.urn, err.initFailure.id, err.initFailure.properties);
  });

  it("partial-failure properties without __provider leave a resource that Read and Delete cannot load", async () => {
    // The engine stores ErrorResourceInitFailed.properties as the outputs as they are
    // (provider_plugin.go Create), and the host deserializes the provider from them.
    const note = byName("note");
    const err = await host
      .create(note.urn, { ...note.inputs, failAfterCreate: "without-provider" })
      .catch((e) => e);
    const { id, properties } = err.initFailure;
    expect(properties).not.toHaveProperty("__provider");
    await expect(host.read(note.urn, id, properties)).rejects.toThrow(/code must be a string/);
    await expect(host.delete(note.urn, id, properties)).rejects.toThrow(/code must be a string/);
    await host.delete(note.urn, id, { ...properties, __provider: note.inputs.__provider }); // clean up
  });
});

describe("deployment driver", () => {
  it("creates in dependency order with the real id substituted, refreshes, destroys in reverse", async () => {
    const events: ProgressEvent[] = [];
    const d = new Deployment({ host, resources, onProgress: (e) => events.push(e) });
    const up = await d.up();
    expect(up.map((r) => [r.name, r.status])).toEqual([
      ["note", "ok"],
      ["link", "ok"],
    ]);
    const noteId = d.state.get(byName("note").urn)!.id;
    expect(d.state.get(byName("link").urn)!.outputs).toMatchObject({ noteId, target: expect.any(String) });
    expect(events.filter((e) => e.operation === "up").map((e) => `${e.name}:${e.step}:${e.status}`)).toEqual([
      "note:check:running",
      "note:create:running",
      "note:create:ok",
      "link:check:running",
      "link:create:running",
      "link:create:ok",
    ]);

    // Drift: the note vanished outside Pulumi; refresh drops it from state.
    fs.rmSync(path.join(dataDir, `note-${noteId}.json`));
    const refresh = await d.refresh();
    expect(refresh.map((r) => [r.name, r.status])).toEqual([
      ["note", "gone"],
      ["link", "ok"],
    ]);

    const destroy = await d.destroy();
    expect(destroy.map((r) => [r.name, r.status])).toEqual([["link", "ok"]]);
    expect(d.state.size).toBe(0);
    expect(fs.readdirSync(dataDir)).toEqual([]);
  });

  it("fills an input a preview capture left unknown from the resource it depends on", async () => {
    const preview = await capture({ program, project: PROJECT, stack: STACK, preview: true });
    const d = new Deployment({ host, resources: preview.resources, parallel: false });
    const up = await d.up();
    expect(up.map((r) => r.status)).toEqual(["ok", "ok"]);
    const [note, link] = [...d.state.values()];
    expect(link!.inputs.noteId).toBe(note!.id);
    await d.destroy();
    expect(fs.readdirSync(dataDir)).toEqual([]);
  });

  it("keeps a partial failure in state, skips its dependents, and destroy removes it", async () => {
    const failing = resources.map((r) =>
      r.name === "note" ? { ...r, inputs: { ...r.inputs, failAfterCreate: true } } : r,
    );
    const d = new Deployment({ host, resources: failing });
    const up = await d.up();
    expect(up.map((r) => [r.name, r.status])).toEqual([
      ["note", "failed"],
      ["link", "skipped"],
    ]);
    expect(up[0]!.reasons).toEqual(["not ready"]);
    expect(d.state.get(byName("note").urn)).toMatchObject({ partial: true, id: up[0]!.id });
    const destroy = await d.destroy();
    expect(destroy.map((r) => [r.name, r.status])).toEqual([["note", "ok"]]);
    expect(fs.readdirSync(dataDir)).toEqual([]);
  });

  it("never lets a configured secret reach __provider, outputs or the host's stderr", async () => {
    const d = new Deployment({ host, resources });
    await d.up();
    const states = [...d.state.values()];
    await d.destroy();
    const leaks = findLeaks([TOKEN], {
      __provider: resources.map((r) => r.inputs.__provider),
      outputs: states.map((s) => s.outputs),
      stderr: host.stderr,
    });
    expect(leaks).toEqual([]);
    // The secret input is in state only as a secret.
    const note = states.find((s) => s.name === "note")!;
    expect(note.outputs.secretText).toMatchObject({ [SIG_KEY]: expect.any(String), value: SECRET_TEXT });
  });
});
