// Installs this package into its own node_modules, as a copy (not a link), the way a user's project
// has it: the example stack at the repository root then requires "pulumi-huaweicloud-snapshots"
// from node_modules, exactly as an installed package. Two reasons it must be a real directory:
// - the serialized provider shim does `require("pulumi-huaweicloud-snapshots/impl")` from the
//   Pulumi project directory, and a package cannot find itself by name from its own root;
// - Pulumi serializes a provider that lives in a package under node_modules as a one-line
//   `require(...)` (about 300 bytes); through a symlink Node reports the real path outside
//   node_modules and Pulumi inlines the shim's code instead (about 2.4 KB).
// Run after every build (npm run build does), so the copy is never stale.
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const root = path.resolve(__dirname, "..");
const modules = path.join(root, "node_modules");
if (!fs.existsSync(modules) || path.basename(path.dirname(root)) === "node_modules") process.exit(0);
const target = path.join(modules, "pulumi-huaweicloud-snapshots");
fs.rmSync(target, { recursive: true, force: true });
const pkg = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));
fs.mkdirSync(target, { recursive: true });
fs.writeFileSync(path.join(target, "package.json"), `${JSON.stringify({ ...pkg, scripts: {} }, null, 2)}\n`);
for (const dir of ["dist/provider", "dist/emulator"]) {
  fs.cpSync(path.join(root, dir), path.join(target, dir), { recursive: true });
}
// The compiled example is a package of its own (as a user's program is): without this boundary,
// Node would resolve the package's own name by self-reference to the repository's dist/.
fs.copyFileSync(
  path.join(root, "examples", "package.json"),
  path.join(root, "dist", "examples", "package.json"),
);
