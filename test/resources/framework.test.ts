import { describe, expect, it } from "vitest";
import { layered, partialFailure, stripUndefined, timeoutsOf } from "../../provider/resources/framework";

describe("framework helpers", () => {
  it("stripUndefined removes undefined and null everywhere Pulumi would choke on them", () => {
    expect(
      stripUndefined({
        a: 1,
        b: undefined,
        c: null,
        d: { e: undefined, f: [1, undefined, { g: undefined }] },
      }),
    ).toEqual({
      a: 1,
      d: { f: [1, {}] },
    });
  });

  it("layered: a field the cloud did not report keeps the input's value", () => {
    expect(layered({ clusterId: "c", name: "n" }, { clusterId: undefined, status: "AVAILABLE" })).toEqual({
      clusterId: "c",
      name: "n",
      status: "AVAILABLE",
    });
  });

  it("timeouts fall back to the resource's defaults per operation", () => {
    const d = { create: 1, update: 2, delete: 3 };
    expect(timeoutsOf({ timeouts: { create: "2s" } }, d)).toEqual({ create: 2000, update: 2, delete: 3 });
    expect(timeoutsOf({}, d)).toEqual(d);
  });

  it("a partial failure carries id, properties and reasons, without undefined", () => {
    const e = partialFailure(new Error("boom"), "id-1", { a: 1, b: undefined }) as Error &
      Record<string, unknown>;
    expect(e).toMatchObject({ message: "boom", id: "id-1", properties: { a: 1 }, reasons: ["boom"] });
  });
});
