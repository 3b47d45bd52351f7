/**
 * Property-based tests of every resource's inputs (fast-check): valid inputs pass check and are no
 * change against themselves; every broken rule is rejected by check with a reason naming the
 * property, and create refuses it with kind "input" before any API call; arbitrary values never
 * make check, diff or create throw anything but a clear HuaweiCloudError.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { emulatorStackConfig, REGIONS, type RunningEmulator, startEmulator } from "../../emulator";
import { HuaweiCloudError } from "../../provider/client";
import type { CheckFailure } from "../../provider/resources/framework";
import { configure, provider } from "../../provider/resources/impl";
import { type Inputs, type Kind, validInputs, violations } from "./arbitraries";

const KINDS: Kind[] = ["DwsSnapshot", "DwsSnapshotCopy", "EvsSnapshot", "CbrReplication"];
const SETTLED: Record<Kind, string> = {
  DwsSnapshot: "AVAILABLE",
  DwsSnapshotCopy: "AVAILABLE",
  EvsSnapshot: "available",
  CbrReplication: "success",
};
const RUNS = { valid: 150, perRule: 40, anything: 150 };
const cases = { valid: 0, invalid: 0, anything: 0, rules: 0 };

let emu: RunningEmulator;
beforeAll(async () => {
  // Only to prove that no input reaches the API: every request it receives is counted.
  emu = await startEmulator({ port: 0 });
  const config = emulatorStackConfig(emu.url);
  configure({ config: { get: (k) => config[k] } });
});
afterAll(async () => {
  await emu?.close();
  console.log(
    `property cases: ${cases.valid} valid inputs, ${cases.invalid} invalid inputs over ${cases.rules} rules, ` +
      `${cases.anything} arbitrary values`,
  );
});

/** A clear error: ours, saying what is wrong, naming no JavaScript internals. */
function expectClearError(err: unknown, kind?: string): asserts err is HuaweiCloudError {
  expect(err, String(err)).toBeInstanceOf(HuaweiCloudError);
  const e = err as HuaweiCloudError;
  if (kind) expect(e.kind).toBe(kind);
  expect(e.message).not.toMatch(/TypeError|undefined is not|Cannot read prop|\[object Object\]/);
}

function named(failures: CheckFailure[], property: string): CheckFailure | undefined {
  return failures.find((f) => f.property === property || f.property.startsWith(`${property}.`));
}

describe.each(KINDS)("%s", (kind) => {
  const p = () => provider(kind);

  it("valid inputs pass check unchanged, and are no change against their own outputs", async () => {
    await fc.assert(
      fc.asyncProperty(validInputs(kind), async (inputs) => {
        cases.valid++;
        const r = await p().check({}, inputs);
        expect(r.failures).toEqual([]);
        expect(r.inputs).toEqual(inputs);
        // The outputs echo the inputs with the resolved region (and CBR's project id) and a status.
        const outs = { ...inputs, region: inputs.region ?? REGIONS.primary.name, status: SETTLED[kind] };
        const d = await p().diff("id-1", outs, r.inputs);
        expect(d).toEqual({ changes: false, replaces: [], deleteBeforeReplace: false });
      }),
      { numRuns: RUNS.valid },
    );
  });

  for (const v of violations(kind)) {
    it(`${v.rule}: check names ${v.property}; create refuses it before any call`, async () => {
      cases.rules++;
      await fc.assert(
        fc.asyncProperty(validInputs(kind), v.apply, async (valid, apply) => {
          cases.invalid++;
          const news = apply(valid);
          const { failures } = await p().check({}, news);
          const property =
            v.property === "<the key>"
              ? Object.keys(news).find((k) => !Object.hasOwn(valid, k))!
              : v.property;
          const failure = named(failures, property);
          expect(failure, `${JSON.stringify(news)} -> ${JSON.stringify(failures)}`).toBeDefined();
          expect(failure!.reason).toContain(failure!.property);
          for (const f of failures) expect(f.property).not.toBe("");
          const err = await p()
            .create(news)
            .then(
              () => undefined,
              (e: unknown) => e,
            );
          expectClearError(err, "input");
          // The message names the first broken property (an unknown key inside zod's words).
          expect(err.message).toContain(failures[0]!.property.split(".")[0]);
        }),
        { numRuns: RUNS.perRule },
      );
    });
  }

  it("arbitrary values: check answers, create fails with kind input, diff of checked inputs answers", async () => {
    const news = fc.oneof(
      fc.anything(),
      fc.object(),
      validInputs(kind),
      // Valid inputs with arbitrary values mixed in reach deeper.
      fc
        .tuple(validInputs(kind), fc.dictionary(fc.string({ maxLength: 20 }), fc.anything(), { maxKeys: 3 }))
        .map(([v, extra]) => ({ ...v, ...extra })),
      fc
        .tuple(validInputs(kind), fc.constantFrom(...Object.keys(SHAPES[kind])), fc.anything())
        .map(([v, key, value]) => ({ ...v, [key]: value })),
    );
    // Old outputs come from state: any object (an older version's, an edited state file …).
    const olds = fc.oneof(
      fc.object(),
      fc
        .tuple(validInputs(kind), fc.dictionary(fc.string({ maxLength: 20 }), fc.anything(), { maxKeys: 4 }))
        .map(([v, extra]) => ({ ...v, ...extra })),
    );
    await fc.assert(
      fc.asyncProperty(news, olds, async (input, old) => {
        cases.anything++;
        const checked = await p().check(old as Inputs, input as Inputs);
        expect(Array.isArray(checked.failures)).toBe(true);
        for (const f of checked.failures) {
          expect(typeof f.property).toBe("string");
          expect(f.reason).toContain(f.property);
        }
        if (checked.failures.length > 0) {
          const err = await p()
            .create(input as Inputs)
            .then(
              () => undefined,
              (e: unknown) => e,
            );
          expectClearError(err, "input");
        } else {
          // The engine diffs only inputs that passed check, against whatever state holds.
          await p()
            .diff("id-1", old as Inputs, checked.inputs)
            .catch((e: unknown) => expectClearError(e));
        }
      }),
      { numRuns: RUNS.anything },
    );
  });

  // The engine always sends checked inputs and object state; called directly with anything else,
  // diff still answers (or fails with a clear error), never a TypeError.
  it("diff given inputs that never passed check does not crash", async () => {
    const olds = kind === "CbrReplication" ? { sourceVaultId: "x", destinationRegion: "y" } : { name: "x" };
    const results = await Promise.allSettled([
      p().diff("id-1", olds, {}),
      p().diff("id-1", undefined as never, {}),
    ]);
    for (const r of results) if (r.status === "rejected") expectClearError(r.reason);
  });
});

const SHAPES: Record<Kind, Record<string, true>> = {
  DwsSnapshot: {
    clusterId: true,
    name: true,
    description: true,
    region: true,
    timeouts: true,
    existingId: true,
  },
  DwsSnapshotCopy: {
    sourceSnapshotId: true,
    name: true,
    description: true,
    region: true,
    timeouts: true,
    existingId: true,
  },
  EvsSnapshot: {
    volumeId: true,
    name: true,
    description: true,
    metadata: true,
    force: true,
    region: true,
    timeouts: true,
    existingId: true,
  },
  CbrReplication: {
    sourceVaultId: true,
    destinationVaultId: true,
    destinationRegion: true,
    destinationProjectId: true,
    region: true,
    enableAcceleration: true,
    adoptExisting: true,
    timeouts: true,
  },
};

describe("no input reached the API", () => {
  it("the emulator counted zero requests", () => {
    expect(emu.counts()).toEqual({});
  });
});
