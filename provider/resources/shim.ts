/**
 * The serialized provider: what Pulumi writes into state as `__provider`. It holds nothing but the
 * resource kind; each method loads the installed implementation by package name at run time, so
 * `__provider` stays tiny, carries no credential or endpoint, and old state runs the code that is
 * installed now. Do not import anything here: every captured value would be serialized.
 */
import type * as pulumi from "@pulumi/pulumi";

// `require` is a global to Pulumi's closure serializer: it is never captured, only called.
declare const require: (id: string) => any;

export class HuaweiSnapshotProvider implements pulumi.dynamic.ResourceProvider {
  constructor(readonly kind: string) {}

  async configure(req: pulumi.dynamic.ConfigureRequest) {
    require("pulumi-huaweicloud-snapshots/impl").configure(req);
  }
  async check(olds: any, news: any) {
    return require("pulumi-huaweicloud-snapshots/impl").provider(this.kind).check(olds, news);
  }
  async diff(id: string, olds: any, news: any) {
    return require("pulumi-huaweicloud-snapshots/impl").provider(this.kind).diff(id, olds, news);
  }
  async create(inputs: any) {
    return require("pulumi-huaweicloud-snapshots/impl").provider(this.kind).create(inputs);
  }
  async read(id: string, props: any) {
    return require("pulumi-huaweicloud-snapshots/impl").provider(this.kind).read(id, props);
  }
  async update(id: string, olds: any, news: any) {
    return require("pulumi-huaweicloud-snapshots/impl").provider(this.kind).update(id, olds, news);
  }
  async delete(id: string, props: any) {
    return require("pulumi-huaweicloud-snapshots/impl").provider(this.kind).delete(id, props);
  }
}
