/**
 * `pulumi up --parallel 32` of 200 resources against an emulator that throttles (APIGW.0308 beyond
 * its per-second limit): every create succeeds (the client backs off and retries), and destroy
 * leaves nothing behind.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningEmulator } from "../../emulator/index";
import { startTestEmulator } from "../engine/example";
import { auditFrom, CLI, CliStack, type ResourceSpec, seedStackWorld } from "./stack";

const COUNT = 200;
const RATE_LIMIT = 40;

let emu: RunningEmulator;
let createdInWorld: () => string[];
let stack: CliStack;

describe.skipIf(!CLI)(`${COUNT} resources, --parallel 32, under the emulator's rate limit`, () => {
  beforeAll(async () => {
    emu = await startTestEmulator();
    const volumes = [seedStackWorld(emu, "scale-a").volumeId, seedStackWorld(emu, "scale-b").volumeId];
    createdInWorld = auditFrom(emu);
    const program: ResourceSpec[] = Array.from({ length: COUNT }, (_, i) => ({
      kind: "EvsSnapshot",
      name: `snap-${i}`,
      args: { volumeId: volumes[i % 2], name: `scale-${i}` },
    }));
    stack = await CliStack.create(CLI!, "scale", emu);
    stack.writeProgram(program);
    emu.setFaults({ rateLimitPerSecond: RATE_LIMIT });
  }, 120_000);

  afterAll(async () => {
    if (stack && (await stack.resources().catch(() => new Map())).size > 0) {
      emu.setFaults({ rateLimitPerSecond: 0 });
      await stack.run(["destroy", "--yes", "--skip-preview"]);
    }
    stack?.close();
    await emu?.close();
  }, 600_000);

  it("up creates all of them with no failure, although the emulator throttled; destroy leaves nothing", async () => {
    emu.resetCounts();
    const up = await stack.run(["up", "--yes", "--skip-preview", "--parallel", "32"], { timeoutMs: 540_000 });
    expect(up.code, up.stdout.slice(-3000)).toBe(0);
    const state = await stack.resources();
    expect(state.size).toBe(COUNT);
    expect(new Set([...state.values()].map((r) => r.id)).size).toBe(COUNT);
    expect(createdInWorld()).toHaveLength(COUNT);
    const afterUp = emu.counts();
    console.log(
      `up of ${COUNT}: ${afterUp["evs.CreateSnapshot"]} creates, ${afterUp.throttled ?? 0} throttled answers`,
    );
    // Exactly one create call per snapshot that succeeded, and the limit did bite.
    expect(afterUp.throttled ?? 0).toBeGreaterThan(0);

    const destroy = await stack.run(["destroy", "--yes", "--skip-preview", "--parallel", "32"], {
      timeoutMs: 540_000,
    });
    expect(destroy.code, destroy.stdout.slice(-3000)).toBe(0);
    expect((await stack.resources()).size).toBe(0);
    expect(createdInWorld()).toEqual([]);
  }, 1_200_000);
});
