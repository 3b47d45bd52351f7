/**
 * fast-check arbitraries for every resource's inputs: valid ones (as the rules in
 * provider/resources/rules.ts and the specs state them) and, per property, values that break
 * exactly one rule.
 */
import fc from "fast-check";
import { parseDuration } from "../../provider/client/rules";

export type Kind = "DwsSnapshot" | "DwsSnapshotCopy" | "EvsSnapshot" | "CbrReplication";
export type Inputs = Record<string, unknown>;

const HEX = "0123456789abcdefABCDEF";
export const hex = (n: number) => fc.string({ unit: fc.constantFrom(...HEX), minLength: n, maxLength: n });
export const uuid = () => fc.tuple(hex(8), hex(4), hex(4), hex(4), hex(12)).map((p) => p.join("-"));
export const projectId = () => hex(32);

const LOWER = "abcdefghijklmnopqrstuvwxyz";
const word = (min: number, max: number) =>
  fc.string({ unit: fc.constantFrom(...LOWER), minLength: min, maxLength: max });
export const region = () =>
  fc
    .tuple(
      word(2, 2),
      fc.array(word(1, 10), { minLength: 1, maxLength: 3 }),
      fc.integer({ min: 0, max: 999 }),
    )
    .map(([a, words, n]) => `${a}-${words.join("-")}-${n}`);

const UNIT = ["ms", "s", "m", "h"] as const;
export const duration = () =>
  fc
    .array(
      fc.tuple(
        fc.integer({ min: 1, max: 500 }),
        fc.constantFrom(...UNIT),
        fc.boolean(),
        fc.integer({ min: 0, max: 9 }),
      ),
      { minLength: 1, maxLength: 3 },
    )
    .map((parts) => parts.map(([n, u, frac, f]) => `${n}${frac ? `.${f}` : ""}${u}`).join(""));
export const timeouts = () =>
  fc.record({ create: duration(), update: duration(), delete: duration() }, { requiredKeys: [] });

const LETTERS = `${LOWER}${LOWER.toUpperCase()}`;
const DWS_REST = `${LETTERS}0123456789_-`;
export const dwsName = () =>
  fc
    .tuple(
      fc.constantFrom(...LETTERS),
      fc.string({ unit: fc.constantFrom(...DWS_REST), minLength: 3, maxLength: 63 }),
    )
    .map(([a, b]) => a + b);
const FORBIDDEN_DESCRIPTION = "!<>'=&\"";
export const dwsDescription = () =>
  fc.string({ maxLength: 214, unit: "grapheme-ascii" }).map((s) => s.replace(/[!<>'=&"]/g, "_"));

export const evsName = () =>
  fc.string({ minLength: 1, maxLength: 64 }).filter((s) => !s.startsWith("autobk_snapshot_"));
export const evsDescription = () => fc.string({ maxLength: 85 });
export const evsMetadata = () =>
  fc.dictionary(
    fc
      .string({ minLength: 1, maxLength: 40 })
      .filter((k) => !k.startsWith("__system__") && k !== "__proto__"),
    fc.string({ maxLength: 255 }),
    { maxKeys: 5 },
  );

/** Valid inputs of each kind, optional properties present or not. */
export function validInputs(kind: Kind): fc.Arbitrary<Inputs> {
  switch (kind) {
    case "DwsSnapshot":
      return fc.record(
        {
          clusterId: uuid(),
          name: dwsName(),
          description: dwsDescription(),
          region: region(),
          timeouts: timeouts(),
          existingId: uuid(),
        },
        { requiredKeys: ["clusterId", "name"] },
      );
    case "DwsSnapshotCopy":
      return fc.record(
        {
          sourceSnapshotId: uuid(),
          name: dwsName(),
          description: dwsDescription(),
          region: region(),
          timeouts: timeouts(),
          existingId: uuid(),
        },
        { requiredKeys: ["sourceSnapshotId", "name"] },
      );
    case "EvsSnapshot":
      return fc.record(
        {
          volumeId: uuid(),
          name: evsName(),
          description: evsDescription(),
          metadata: evsMetadata(),
          force: fc.boolean(),
          region: region(),
          timeouts: timeouts(),
          existingId: uuid(),
        },
        { requiredKeys: ["volumeId", "name"] },
      );
    case "CbrReplication":
      return fc
        .record(
          {
            sourceVaultId: uuid(),
            destinationVaultId: uuid(),
            destinationRegion: region(),
            destinationProjectId: projectId(),
            region: region(),
            enableAcceleration: fc.boolean(),
            adoptExisting: fc.boolean(),
            timeouts: timeouts(),
          },
          { requiredKeys: ["sourceVaultId", "destinationVaultId", "destinationRegion"] },
        )
        .filter((i) => i.region !== i.destinationRegion);
  }
}

/** One broken rule: the property it is about, and how to apply it to valid inputs. */
export interface Violation {
  rule: string;
  /** The property the failure must name (dotted for nested). */
  property: string;
  apply: fc.Arbitrary<(inputs: Inputs) => Inputs>;
}

const set = (property: string, values: fc.Arbitrary<unknown>) =>
  values.map((v) => (inputs: Inputs) => {
    const [top, sub] = property.split(".") as [string, string | undefined];
    if (sub === undefined) return { ...inputs, [top]: v };
    return { ...inputs, [top]: { ...((inputs[top] as Inputs | undefined) ?? {}), [sub]: v } };
  });
const remove = (property: string) =>
  fc.constant((inputs: Inputs) => {
    const { [property]: _gone, ...rest } = inputs;
    return rest;
  });

/** Anything that is not a string (JSON-ish values of the wrong type). */
export const notString = () =>
  fc.oneof(
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.array(fc.string(), { maxLength: 3 }),
    fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 2 }),
  );
const notBoolean = () => fc.oneof(fc.integer(), fc.string(), fc.constant(null), fc.array(fc.boolean()));

/** Strings that are not UUID-shaped. */
export const malformedId = () =>
  fc
    .oneof(
      fc.string({ maxLength: 40 }),
      uuid().map((u) => u.replace(/-/g, "")),
      uuid().map((u) => `${u}0`),
      uuid().map((u) => u.slice(1)),
      fc
        .tuple(uuid(), fc.integer({ min: 0, max: 35 }), fc.constantFrom("g", "z", " ", "_", "-"))
        .filter(([u, i, c]) => u[i] !== "-" || c !== "-")
        .map(([u, i, c]) => `${u.slice(0, i)}${c}${u.slice(i + 1)}`),
      uuid().map((u) => ` ${u}`),
    )
    .filter((s) => !/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/.test(s));

export const malformedRegion = () =>
  fc
    .oneof(
      fc.string({ maxLength: 20 }),
      region().map((r) => r.toUpperCase()),
      region().map((r) => r.replace(/-/g, "_")),
      region().map((r) => r.replace(/-\d+$/, "")),
      region().map((r) => `${r} `),
    )
    .filter((s) => !/^[a-z]{2}-[a-z]+(-[a-z]+)*-\d+$/.test(s));

export const malformedDuration = () =>
  fc
    .oneof(
      fc.constantFrom(
        "",
        "0s",
        "0ms",
        "0h0m",
        "-1m",
        "1d",
        "5 minutes",
        "1.5",
        "m",
        "1h 30m",
        "PT1H",
        "1e3s",
        "∞",
      ),
      fc.string({ maxLength: 8 }),
      fc.integer({ min: 1, max: 1000 }).map((n) => `${n}.5`),
    )
    // Malformed by the one duration rule (a whole number alone is milliseconds, so valid).
    .filter((s) => parseDuration(s) === undefined);

const tooLong = (min: number) => fc.string({ minLength: min, maxLength: min + 40, unit: "grapheme-ascii" });

const common = (kind: Kind, idProps: string[]): Violation[] => [
  ...idProps.flatMap((p) => [
    { rule: "malformed id", property: p, apply: set(p, malformedId()) },
    { rule: "id of the wrong type", property: p, apply: set(p, notString()) },
    { rule: "required id missing", property: p, apply: remove(p) },
  ]),
  { rule: "malformed region", property: "region", apply: set("region", malformedRegion()) },
  { rule: "region of the wrong type", property: "region", apply: set("region", notString()) },
  ...["create", "update", "delete"].map((op) => ({
    rule: `malformed timeouts.${op}`,
    property: `timeouts.${op}`,
    apply: set(`timeouts.${op}`, malformedDuration()),
  })),
  {
    rule: "timeouts.create of the wrong type",
    property: "timeouts.create",
    apply: set("timeouts.create", notString()),
  },
  {
    rule: "unknown key in timeouts",
    property: "timeouts",
    apply: fc
      .string({ minLength: 1, maxLength: 10 })
      .filter((k) => !["create", "update", "delete", "__proto__"].includes(k))
      .map((k) => (i: Inputs) => ({ ...i, timeouts: { [k]: "1m" } })),
  },
  {
    rule: "timeouts not an object",
    property: "timeouts",
    apply: set("timeouts", fc.oneof(fc.string(), fc.integer(), fc.array(fc.string(), { maxLength: 2 }))),
  },
  {
    rule: "unknown input",
    property: "<the key>",
    apply: fc
      .string({ minLength: 1, maxLength: 20 })
      .filter((k) => !KNOWN[kind].includes(k) && k !== "__provider" && k !== "__proto__" && !k.includes("."))
      .map((k) => (i: Inputs) => ({ ...i, [k]: "x" })),
  },
];

const KNOWN: Record<Kind, string[]> = {
  DwsSnapshot: ["clusterId", "name", "description", "region", "timeouts", "existingId"],
  DwsSnapshotCopy: ["sourceSnapshotId", "name", "description", "region", "timeouts", "existingId"],
  EvsSnapshot: ["volumeId", "name", "description", "metadata", "force", "region", "timeouts", "existingId"],
  CbrReplication: [
    "sourceVaultId",
    "destinationVaultId",
    "destinationRegion",
    "destinationProjectId",
    "region",
    "enableAcceleration",
    "adoptExisting",
    "timeouts",
  ],
};

const dwsRules = (): Violation[] => [
  {
    rule: "name too short",
    property: "name",
    apply: set(
      "name",
      dwsName().map((n) => n.slice(0, 1 + (n.length % 3))),
    ),
  },
  {
    rule: "name too long",
    property: "name",
    apply: set(
      "name",
      dwsName().map((n) => n.padEnd(65, "x")),
    ),
  },
  {
    rule: "name starts with a non-letter",
    property: "name",
    apply: set(
      "name",
      fc.tuple(fc.constantFrom(..."0123456789_-"), dwsName()).map(([c, n]) => `${c}${n.slice(1)}`),
    ),
  },
  {
    rule: "name with a forbidden character",
    property: "name",
    apply: set(
      "name",
      fc
        .tuple(dwsName(), fc.constantFrom(..." .,:;/\\@#$%^*()+=!?'\"<>[]{}|~`", "中", "é", "\t", "\n"))
        .map(([n, c]) => `${n.slice(0, 3)}${c}${n.slice(3)}`),
    ),
  },
  { rule: "name of the wrong type", property: "name", apply: set("name", notString()) },
  { rule: "name missing", property: "name", apply: remove("name") },
  {
    rule: "description with a forbidden character",
    property: "description",
    apply: set(
      "description",
      fc
        .tuple(dwsDescription(), fc.constantFrom(...FORBIDDEN_DESCRIPTION))
        .map(([d, c]) => `${d.slice(0, 200)}${c}`),
    ),
  },
  { rule: "description too long", property: "description", apply: set("description", tooLong(257)) },
  { rule: "description of the wrong type", property: "description", apply: set("description", notString()) },
];

const evsRules = (): Violation[] => [
  { rule: "name empty", property: "name", apply: set("name", fc.constant("")) },
  { rule: "name too long", property: "name", apply: set("name", tooLong(65)) },
  {
    rule: "name with the reserved autobk_snapshot_ prefix",
    property: "name",
    apply: set(
      "name",
      fc.string({ maxLength: 40 }).map((s) => `autobk_snapshot_${s}`),
    ),
  },
  { rule: "name of the wrong type", property: "name", apply: set("name", notString()) },
  { rule: "name missing", property: "name", apply: remove("name") },
  { rule: "description too long", property: "description", apply: set("description", tooLong(86)) },
  { rule: "description of the wrong type", property: "description", apply: set("description", notString()) },
  {
    rule: "metadata key with the __system__ prefix",
    property: "metadata",
    apply: set(
      "metadata",
      fc.string({ maxLength: 10 }).map((s) => ({ [`__system__${s}`]: "v" })),
    ),
  },
  { rule: "metadata key empty", property: "metadata", apply: set("metadata", fc.constant({ "": "v" })) },
  {
    rule: "metadata key too long",
    property: "metadata",
    apply: set(
      "metadata",
      tooLong(256).map((k) => ({ [k]: "v" })),
    ),
  },
  {
    rule: "metadata value too long",
    property: "metadata",
    apply: set(
      "metadata",
      tooLong(256).map((v) => ({ k: v })),
    ),
  },
  {
    rule: "metadata value not a string",
    property: "metadata",
    apply: set(
      "metadata",
      notString().map((v) => ({ k: v })),
    ),
  },
  {
    rule: "metadata not a map",
    property: "metadata",
    apply: set(
      "metadata",
      fc.oneof(fc.string(), fc.integer(), fc.array(fc.string(), { minLength: 1, maxLength: 2 })),
    ),
  },
  { rule: "force not a boolean", property: "force", apply: set("force", notBoolean()) },
];

const cbrRules = (): Violation[] => [
  {
    rule: "malformed destinationRegion",
    property: "destinationRegion",
    apply: set("destinationRegion", malformedRegion()),
  },
  { rule: "destinationRegion missing", property: "destinationRegion", apply: remove("destinationRegion") },
  {
    rule: "destinationRegion equal to the source region",
    property: "destinationRegion",
    apply: region().map((r) => (i: Inputs) => ({ ...i, region: r, destinationRegion: r })),
  },
  {
    rule: "malformed destinationProjectId",
    property: "destinationProjectId",
    apply: set(
      "destinationProjectId",
      fc.oneof(
        hex(31),
        hex(33),
        fc.string({ maxLength: 40 }),
        projectId().map((p) => `${p.slice(1)}g`),
      ),
    ),
  },
  {
    rule: "enableAcceleration not a boolean",
    property: "enableAcceleration",
    apply: set("enableAcceleration", notBoolean()),
  },
  {
    rule: "adoptExisting not a boolean",
    property: "adoptExisting",
    apply: set("adoptExisting", notBoolean()),
  },
];

export function violations(kind: Kind): Violation[] {
  switch (kind) {
    case "DwsSnapshot":
      return [...common(kind, ["clusterId", "existingId"]), ...dwsRules()].filter(
        (v) => !(v.property === "existingId" && v.rule === "required id missing"),
      );
    case "DwsSnapshotCopy":
      return [...common(kind, ["sourceSnapshotId", "existingId"]), ...dwsRules()].filter(
        (v) => !(v.property === "existingId" && v.rule === "required id missing"),
      );
    case "EvsSnapshot":
      return [...common(kind, ["volumeId", "existingId"]), ...evsRules()].filter(
        (v) => !(v.property === "existingId" && v.rule === "required id missing"),
      );
    case "CbrReplication":
      return [...common(kind, ["sourceVaultId", "destinationVaultId"]), ...cbrRules()];
  }
}
