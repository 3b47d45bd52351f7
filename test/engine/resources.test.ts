/**
 * Engine-level lifecycle of all four resources: the example program's resources captured with the
 * real SDK (real `__provider`), the real dynamic provider host started as the engine starts it, and
 * every call marshalled as the engine would, against the emulator. Credentials come from the stack
 * config through Configure (as secrets).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningEmulator } from "../../emulator/index";
import {
  type CapturedResource,
  isSecret,
  type PropertyMap,
  ProviderCallError,
  type ProviderHost,
  UNKNOWN,
} from "../../scripts/engine";
import { createdInWorld, stackConfig, startExampleHost } from "./example";
import { findLeaks, providerText, TEST_ACCESS_KEY, TEST_SECRET_KEY } from "./helpers";

let emu: RunningEmulator;
let host: ProviderHost;
let resources: CapturedResource[];
/** Every output the host returned in this file, for the leak check. */
const seenOutputs: PropertyMap[] = [];

beforeAll(async () => {
  ({ emu, resources, host } = await startExampleHost());
});

afterAll(async () => {
  await host?.close();
  await emu?.close();
});

const captured = (type: string) => {
  const r = resources.find((x) => x.type === `pulumi-nodejs:dynamic/huaweicloud:${type}`);
  if (!r) throw new Error(`the example registers no ${type}`);
  return r;
};

interface Case {
  type: string;
  /** An input that must be an id of another resource (unknown during a preview of a dependent stack). */
  idInput: string;
  /** A change that replaces the resource. */
  replace: PropertyMap;
  replaceKey: string;
  /** A change made in place (EVS only). */
  inPlace?: PropertyMap;
}

const CASES: Case[] = [
  { type: "DwsSnapshot", idInput: "clusterId", replace: { name: "nightly-2" }, replaceKey: "name" },
  { type: "DwsSnapshotCopy", idInput: "sourceSnapshotId", replace: { name: "kept-2" }, replaceKey: "name" },
  {
    type: "EvsSnapshot",
    idInput: "volumeId",
    replace: { metadata: { team: "other" } },
    replaceKey: "metadata",
    inPlace: { name: "disk-renamed", description: "renamed in place" },
  },
  {
    type: "CbrReplication",
    idInput: "sourceVaultId",
    replace: { destinationVaultId: "11111111-2222-4333-8444-555555555555" },
    replaceKey: "destinationVaultId",
  },
];

describe("provider host", () => {
  it("is the SDK's host: Handshake UNIMPLEMENTED, GetPluginInfo 3.248.0, Configure acceptSecrets=false", async () => {
    await expect(host.handshake()).rejects.toMatchObject({ code: 12 });
    expect(await host.getPluginInfo()).toEqual({ version: "3.248.0" });
    expect((await host.configure(stackConfig(emu))).acceptSecrets).toBe(false);
  });

  it("captures one of each resource with the thin shim as __provider", () => {
    expect(resources.map((r) => r.type).sort()).toEqual(
      CASES.map((c) => `pulumi-nodejs:dynamic/huaweicloud:${c.type}`).sort(),
    );
    for (const r of resources) {
      const text = providerText(r.inputs);
      // By value from the repository (dist/ is not under node_modules); a bare require when installed.
      expect(text).toMatch(/require\("pulumi-huaweicloud-snapshots\/(impl|kinds\/\w+)"\)/);
      console.log(`__provider of ${r.type.split(":").pop()}: ${Buffer.byteLength(text)} bytes`);
    }
  });
});

describe.each(CASES)("$type", (c) => {
  it("Check, Create, Read, Diff (none / replace), Delete, and Read after delete", async () => {
    const r = captured(c.type);
    const checked = await host.check(r.urn, {}, r.inputs);
    expect(checked.failures).toEqual([]);

    const created = await host.create(r.urn, checked.inputs);
    seenOutputs.push(created.outputs);
    expect(created.id).not.toBe("");
    expect(created.outputs.__provider).toBe(r.inputs.__provider);
    expect(String(created.outputs.status).toLowerCase()).toMatch(/^(available|success)$/);
    expect(createdInWorld(emu).length).toBeGreaterThan(0);

    const read = await host.read(r.urn, created.id, created.outputs, checked.inputs);
    seenOutputs.push(read.outputs);
    expect(read.id).toBe(created.id);
    expect(read.outputs.status).toBe(created.outputs.status);

    expect(await host.diff(r.urn, created.id, created.outputs, checked.inputs, checked.inputs)).toMatchObject(
      {
        changes: "none",
        replaces: [],
      },
    );
    const replaced = await host.check(r.urn, checked.inputs, { ...r.inputs, ...c.replace });
    expect(replaced.failures).toEqual([]);
    const diff = await host.diff(r.urn, created.id, created.outputs, replaced.inputs, checked.inputs);
    expect(diff.changes).toBe("some");
    expect(diff.replaces).toContain(c.replaceKey);

    let state = created.outputs;
    if (c.inPlace) {
      const news = await host.check(r.urn, checked.inputs, { ...r.inputs, ...c.inPlace });
      expect(await host.diff(r.urn, created.id, created.outputs, news.inputs, checked.inputs)).toMatchObject({
        changes: "some",
        replaces: [],
      });
      const updated = await host.update(r.urn, created.id, created.outputs, news.inputs, {
        oldInputs: checked.inputs,
      });
      seenOutputs.push(updated.outputs);
      expect(updated.outputs).toMatchObject(c.inPlace);
      const reread = await host.read(r.urn, created.id, updated.outputs, news.inputs);
      expect(reread.outputs).toMatchObject(c.inPlace);
      state = updated.outputs;
    }

    await host.delete(r.urn, created.id, state, { oldInputs: checked.inputs });
    expect(createdInWorld(emu)).toEqual([]);
    const gone = await host.read(r.urn, created.id, state, checked.inputs);
    expect(gone.id).toBe("");
  });

  it("passes a preview's unknown id input through Check", async () => {
    const r = captured(c.type);
    const checked = await host.check(r.urn, {}, { ...r.inputs, [c.idInput]: UNKNOWN });
    expect(checked.failures).toEqual([]);
    expect(checked.inputs[c.idInput]).toBe(UNKNOWN);
  });
});

describe("partial failure", () => {
  it("a create that times out returns ErrorResourceInitFailed carrying the id and properties", async () => {
    const r = captured("DwsSnapshot");
    emu.setTimings({ dwsSnapshotCreate: 2_000 });
    try {
      const checked = await host.check(r.urn, {}, { ...r.inputs, timeouts: { create: "1s" } });
      expect(checked.failures).toEqual([]);
      const err = await host.create(r.urn, checked.inputs).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ProviderCallError);
      const init = (err as ProviderCallError).initFailure!;
      expect(init.id).not.toBe("");
      expect(init.properties).toMatchObject({ status: "CREATING", name: r.inputs.name });
      expect(init.reasons.join("\n")).toMatch(/timeouts/);
      expect(createdInWorld(emu)).toContain(init.id);
      seenOutputs.push(init.properties);

      // Clean up, supplying the provider text from the inputs (see the next test).
      const state = { ...init.properties, __provider: providerText(r.inputs) };
      await host.delete(r.urn, init.id, state);
      expect(createdInWorld(emu)).toEqual([]);
    } finally {
      emu.setTimings({ dwsSnapshotCreate: 300 });
    }
  });

  // The engine records ErrorResourceInitFailed.properties as the resource's outputs unchanged
  // (provider_plugin.go Create), and the host loads the provider for Read/Delete from those outputs.
  it("partial-failure properties carry __provider, so refresh and destroy can load the provider", async () => {
    const r = captured("EvsSnapshot");
    emu.setTimings({ evsSnapshotCreate: 2_000 });
    let init: ProviderCallError["initFailure"];
    try {
      const checked = await host.check(r.urn, {}, { ...r.inputs, timeouts: { create: "1s" } });
      const err = await host.create(r.urn, checked.inputs).catch((e: unknown) => e);
      init = (err as ProviderCallError).initFailure!;
      expect(init.properties.__provider).toBe(r.inputs.__provider);
      await host.read(r.urn, init.id, init.properties);
      await host.delete(r.urn, init.id, init.properties);
    } finally {
      emu.setTimings({ evsSnapshotCreate: 300 });
      if (init) await host.delete(r.urn, init.id, { ...init.properties, __provider: providerText(r.inputs) });
    }
  });
});

describe("credentials", () => {
  it("no credential value appears in __provider, in any output, or in the host's stderr", () => {
    expect(seenOutputs.length).toBeGreaterThanOrEqual(9);
    const leaks = findLeaks([TEST_ACCESS_KEY, TEST_SECRET_KEY], {
      __provider: resources.map((r) => r.inputs.__provider),
      inputs: resources.map((r) => r.inputs),
      outputs: seenOutputs,
      stderr: host.stderr,
      stdout: host.stdout,
    });
    expect(leaks).toEqual([]);
    // Nothing is marked secret that was not secret in the inputs (no secret inputs here).
    expect(seenOutputs.flatMap((o) => Object.values(o)).some(isSecret)).toBe(false);
  });
});
