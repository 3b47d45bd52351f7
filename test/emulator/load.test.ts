import { describe, expect, it } from "vitest";
import { runLoad } from "../../emulator/load";

describe("load check (bounded: 200 clients, 3 s)", () => {
  it("keeps answering, loses no state, memory stays bounded", async () => {
    const r = await runLoad({ clients: 200, durationMs: 3000 });
    expect(r.errors, r.errorSamples.join("\n")).toBe(0);
    expect(r.requests).toBeGreaterThan(200);
    expect(r.snapshotsCreated).toBeGreaterThan(0);
    expect(r.consistent, r.consistencyDetail).toBe(true);
    // Not a speed assertion: state is deleted as it is created, so memory must not run away.
    expect(r.rssMb.end).toBeLessThan(r.rssMb.start + 400);
  });
});
