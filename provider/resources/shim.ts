/**
 * The serialized provider: what Pulumi writes into state as `__provider`. It holds nothing but the
 * resource kind; each method loads the installed implementation by package name at run time, so
 * `__provider` stays tiny, carries no credential or endpoint, and old state runs the code that is
 * installed now. Do not import anything here: every captured value would be serialized.
 *
 * Each kind's provider is the whole `module.exports` of provider/kinds/<Kind>.js, so where the
 * package is installed under node_modules Pulumi serializes it as a bare
 * `require("pulumi-huaweicloud-snapshots/kinds/<Kind>")` (about 200 bytes).
 */
import type * as pulumi from "@pulumi/pulumi";

// `require` is a global to Pulumi's closure serializer: it is never captured, only called.
declare const require: (id: string) => any;

export function shim(kind: string): pulumi.dynamic.ResourceProvider {
  return {
    async configure(req) {
      require("pulumi-huaweicloud-snapshots/impl").configure(req);
    },
    check: (olds, news) => require("pulumi-huaweicloud-snapshots/impl").provider(kind).check(olds, news),
    diff: (id, olds, news) =>
      require("pulumi-huaweicloud-snapshots/impl").provider(kind).diff(id, olds, news),
    create: (inputs) => require("pulumi-huaweicloud-snapshots/impl").provider(kind).create(inputs),
    read: (id, props) => require("pulumi-huaweicloud-snapshots/impl").provider(kind).read(id, props),
    update: (id, olds, news) =>
      require("pulumi-huaweicloud-snapshots/impl").provider(kind).update(id, olds, news),
    delete: (id, props) => require("pulumi-huaweicloud-snapshots/impl").provider(kind).delete(id, props),
  };
}
