/**
 * Child-process side of `capture` (capture.ts): runs a compiled Pulumi program under
 * `pulumi.runtime.setMocks` in a plain `node` process and writes every registered resource as JSON.
 *
 *   node capture-child.js <program.js> <project> <stack> <preview:true|false> [<out.json>]
 *
 * Config is read by the SDK itself from PULUMI_CONFIG (and PULUMI_CONFIG_SECRET_KEYS), which the parent
 * sets. The SDK used is the one the program resolves (its own node_modules), so the program, the mocks
 * and the provider serialization share one @pulumi/pulumi instance.
 *
 * The inputs recorded are the wire form the engine would receive (`RegisterResourceRequest.object`):
 * `__provider` is the real serialized provider, secrets are sig-wrapped, unknowns are the sentinel.
 * Mocked ids are `@@id:<urn>@@` (or unknown in preview) so that a deployment driver can substitute the
 * real id of a created resource wherever a later resource used it.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { CapturedResource } from "./capture";
import { ID_TOKEN_PREFIX, ID_TOKEN_SUFFIX } from "./protocol";

function main(): void {
  const [programArg, project, stack, previewArg, outFile] = process.argv.slice(2);
  if (!programArg || !project || !stack) {
    console.error("usage: capture-child <program.js> <project> <stack> [preview] [out.json]");
    process.exit(2);
  }
  const program = path.resolve(programArg);
  const from = { paths: [path.dirname(program)] };
  const pulumi = require(require.resolve("@pulumi/pulumi", from));
  const mocks = require(require.resolve("@pulumi/pulumi/runtime/mocks", from));
  const preview = previewArg === "true";
  const resources: CapturedResource[] = [];
  let current: CapturedResource | undefined;

  // Record what only the raw request carries (wire-form inputs, dependencies, URN). The mock's
  // newResource is called synchronously at the start of registerResource, so `current` is still ours.
  const original = mocks.MockMonitor.prototype.registerResource;
  mocks.MockMonitor.prototype.registerResource = function (this: any, req: any, callback: unknown) {
    const propertyDependencies: Record<string, string[]> = {};
    req.getPropertydependenciesMap().forEach((v: any, k: string) => {
      propertyDependencies[k] = v.getUrnsList();
    });
    current = {
      urn: this.newUrn(req.getParent(), req.getType(), req.getName()),
      type: req.getType(),
      name: req.getName(),
      custom: req.getCustom(),
      parent: req.getParent() || undefined,
      provider: req.getProvider() || undefined,
      inputs: req.getObject()?.toJavaScript() ?? {},
      dependencies: req.getDependenciesList(),
      propertyDependencies,
    };
    resources.push(current);
    return original.call(this, req, callback);
  };

  pulumi.runtime.setMocks(
    {
      newResource(args: { inputs: Record<string, unknown> }) {
        const rec = current;
        current = undefined;
        const id = preview || !rec ? undefined : `${ID_TOKEN_PREFIX}${rec.urn}${ID_TOKEN_SUFFIX}`;
        return { id, state: args.inputs };
      },
      call(args: { inputs: Record<string, unknown> }) {
        return args.inputs;
      },
    },
    project,
    stack,
    preview,
  );

  process.once("beforeExit", () => {
    const json = JSON.stringify(resources, null, 2);
    if (outFile) fs.writeFileSync(outFile, json);
    else process.stdout.write(`${json}\n`);
  });

  const mod = require(program);
  const entry =
    typeof mod === "function" ? mod : typeof mod?.default === "function" ? mod.default : undefined;
  if (entry) Promise.resolve(entry()).catch(fail);
}

function fail(e: unknown): void {
  console.error(e instanceof Error ? (e.stack ?? e.message) : String(e));
  process.exitCode = 1;
}

process.on("unhandledRejection", fail);
main();
