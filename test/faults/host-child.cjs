/**
 * A provider host for the fault matrix's "host killed" worlds: loads the built implementation (as the
 * Pulumi host loads it through __provider), runs creates or deletes, and is killed with SIGKILL by
 * the driver while they are in flight. Reads its job (stack config, operation, items) from a JSON file.
 */
const { readFileSync } = require("node:fs");
const path = require("node:path");

const job = JSON.parse(readFileSync(process.argv[2], "utf8"));
const impl = require(path.resolve(__dirname, "../../dist/provider/resources/impl.js"));
impl.configure({ config: { get: (k) => job.config[k] } });

async function run(item) {
  const p = impl.provider(item.kind);
  if (job.op === "create") {
    const checked = await p.check({}, item.inputs);
    return p.create(checked.inputs);
  }
  return p.delete(item.id, item.props);
}

Promise.allSettled(job.items.map(run)).then(() => process.stdout.write("done\n"));
