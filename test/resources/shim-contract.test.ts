/**
 * Old state must keep working after an upgrade: the provider text stored in state is loaded by the
 * host (`require-from-string` from the project directory) and must find the installed package's
 * implementation through the stable entry points `pulumi-huaweicloud-snapshots/kinds/<Kind>` and
 * `pulumi-huaweicloud-snapshots/impl` (`provider(kind)`, `configure(req)`). These fixtures are the
 * texts Pulumi 3.248 wrote for this package; they must load and run against the current build.
 */
import Module from "node:module";
import { describe, expect, it } from "vitest";

// What an installed package serializes to (and, since the build installs a copy, the repo too).
const INSTALLED = `exports.handler = __f0;
const provider = require("pulumi-huaweicloud-snapshots/kinds/EvsSnapshot");

function __f0() {
  return (function() {
    with({ this: undefined, arguments: undefined }) {

return () => provider;

    }
  }).apply(undefined, undefined).apply(this, arguments);
}
`;

// What an earlier, linked copy serialized to: the shim's methods by value, each loading impl.
const BY_VALUE = `exports.handler = __f0;

var __provider = {configure: __f1, check: __f2};

function __f1(__0) {
  return (function() {
    with({ this: undefined, arguments: undefined }) {

return async function /*configure*/(req) {
            require("pulumi-huaweicloud-snapshots/impl").configure(req);
        };

    }
  }).apply(undefined, undefined).apply(this, arguments);
}

function __f2(__0, __1) {
  return (function() {
    with({ kind: "DwsSnapshot", this: undefined, arguments: undefined }) {

return (olds, news) => require("pulumi-huaweicloud-snapshots/impl").provider(kind).check(olds, news);

    }
  }).apply(undefined, undefined).apply(this, arguments);
}

function __f0() {
  return (function() {
    with({ __provider: __provider, this: undefined, arguments: undefined }) {

return () => __provider;

    }
  }).apply(undefined, undefined).apply(this, arguments);
}
`;

/** Loads provider text the way the dynamic provider host does (require-from-string, cwd paths). */
function load(text: string) {
  const m = new Module("__provider", undefined) as Module & { _compile(code: string, file: string): void };
  m.paths = (Module as unknown as { _nodeModulePaths(dir: string): string[] })._nodeModulePaths(
    process.cwd(),
  );
  m._compile(text, "");
  return (m.exports as { handler(): Record<string, (...args: unknown[]) => Promise<any>> }).handler();
}

describe("serialized provider texts from state", () => {
  it("the installed form loads the current implementation", async () => {
    const p = load(INSTALLED);
    await p.configure!({ config: { get: () => undefined } });
    const ok = await p.check!({}, { volumeId: "5aa119a8-d25b-45a7-8d1b-88e127885635", name: "n" });
    expect(ok.failures).toEqual([]);
    const bad = await p.check!({}, { volumeId: "x", name: "autobk_snapshot_1" });
    expect(bad.failures.map((f: { property: string }) => f.property).sort()).toEqual(["name", "volumeId"]);
  });

  it("the by-value form loads the current implementation", async () => {
    const p = load(BY_VALUE);
    const r = await p.check!({}, { clusterId: "44b277eb-39be-4921-be31-3d61b43651d7", name: "x" });
    expect(r.failures.map((f: { property: string }) => f.property)).toEqual(["name"]);
  });
});

// State as the version before typed state wrote it (outputs: the inputs echoed, the region, what
// the cloud reported, and __provider), including what a partial failure leaves.
const REGION = "cn-north-4";
const EVS_INPUTS = { volumeId: "5aa119a8-d25b-45a7-8d1b-88e127885635", name: "nightly", region: REGION };
const EVS_STATE = {
  __provider: INSTALLED,
  ...EVS_INPUTS,
  description: "",
  cloudMetadata: { team: "db" },
  metadata: { team: "db" },
  status: "available",
  size: 10,
  progress: 100,
  createdAt: "2026-11-30T10:00:00.000Z",
  updatedAt: "2026-11-30T10:00:01.000Z",
};
const DWS_INPUTS = { clusterId: "44b277eb-39be-4921-be31-3d61b43651d7", name: "nightly-dws", region: REGION };
const DWS_STATE = {
  __provider: BY_VALUE,
  ...DWS_INPUTS,
  description: "",
  clusterName: "dws-demo",
  status: "AVAILABLE",
  type: "MANUAL",
  size: 50,
  progress: 100,
  backupLevel: "cluster",
  startedAt: "2026-11-30T10:00:00.000Z",
  finishedAt: "2026-11-30T10:02:00.000Z",
};

describe("state written by the current version loads", () => {
  it("settled, partial and failed states diff as before; an unreadable field reads as absent", async () => {
    const evs = load(INSTALLED);
    const dws = load(INSTALLED.replace("kinds/EvsSnapshot", "kinds/DwsSnapshot"));
    const none = { changes: false, replaces: [], deleteBeforeReplace: false };
    expect(await evs.diff!("id-1", EVS_STATE, { ...EVS_INPUTS, metadata: { team: "db" } })).toEqual(none);
    expect(await dws.diff!("id-2", DWS_STATE, DWS_INPUTS)).toEqual(none);
    // A partial failure recorded only the id and CREATING: the next up resumes the wait.
    const partial = { __provider: BY_VALUE, ...DWS_INPUTS, status: "CREATING" };
    expect(await dws.diff!("id-2", partial, DWS_INPUTS)).toMatchObject({ changes: true, replaces: [] });
    expect(await dws.diff!("id-2", { ...DWS_STATE, status: "UNAVAILABLE" }, DWS_INPUTS)).toMatchObject({
      replaces: ["status"],
      deleteBeforeReplace: true,
    });
    // A field of another type (here a number where a status belongs) reads as absent, not as a crash.
    expect(
      await evs.diff!(
        "id-1",
        { ...EVS_STATE, status: 5, size: "ten" },
        {
          ...EVS_INPUTS,
          metadata: { team: "db" },
        },
      ),
    ).toMatchObject({
      changes: true,
      replaces: [],
    });
  });

  it("old inputs without ownership fields: a later check counts the next generation, keeps the rest", async () => {
    const evs = load(INSTALLED);
    await evs.configure!({ config: { get: () => undefined } });
    const r = await evs.check!(EVS_INPUTS, { ...EVS_INPUTS, force: true });
    expect(r.failures).toEqual([]);
    expect(r.inputs).toEqual({ ...EVS_INPUTS, force: true, generation: 1 });
  });
});
