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
