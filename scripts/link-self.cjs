// Makes this package resolvable by its own name from the repository root, as it would be in a
// user's project. The serialized provider shim does `require("pulumi-huaweicloud-snapshots/impl")`
// from the Pulumi project directory, and a package cannot find itself by name from its own root.
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const root = path.resolve(__dirname, "..");
const link = path.join(root, "node_modules", "pulumi-huaweicloud-snapshots");
if (!fs.existsSync(path.join(root, "node_modules"))) process.exit(0); // installed as a dependency: nothing to do
try {
  const stat = fs.lstatSync(link);
  if (stat.isSymbolicLink() || stat.isDirectory()) process.exit(0);
} catch {
  // not there yet
}
fs.symlinkSync("..", link, "dir");
