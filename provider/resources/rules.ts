/**
 * Input rules, as zod schema factories. Each message states the rule; check() prefixes the property.
 * Region names, project ids and durations are judged by the one rule of each in client/rules.ts,
 * which stack config uses too. Name and description limits are those of the cloud APIs: Huawei Cloud
 * API reference for GaussDB(DWS) CreateSnapshot / CopySnapshot and EVS CreateSnapshot, as the
 * huaweicloud-sdk-go-v3 request models (services/dws/v2/model, services/evs/v2/model) document them.
 */
import { z } from "zod";
import {
  DURATION_RULE,
  isProjectId,
  isRegionName,
  PROJECT_ID_RULE,
  parseDuration,
  REGION_RULE,
} from "../client/rules";

const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/** A string input: a missing one "is required", a value of another type "must be a string". */
function text(what: string) {
  return z.string({
    error: (issue) => (issue.input === undefined ? `is required (${what})` : `must be a string (${what})`),
  });
}

export function cloudId(what: string) {
  return text(`the ${what} id`).regex(
    UUID,
    `must be a ${what} id shaped like a UUID (8-4-4-4-12 hexadecimal digits)`,
  );
}

export function projectId() {
  return text("a project id").refine(isProjectId, { message: `must be ${PROJECT_ID_RULE}` });
}

export function regionName() {
  return text("a region name").refine(isRegionName, { message: `must be ${REGION_RULE}` });
}

export function timeouts() {
  const duration = text("a duration").refine((s) => parseDuration(s) !== undefined, {
    message: `must be ${DURATION_RULE}`,
  });
  return z
    .strictObject(
      { create: duration.optional(), update: duration.optional(), delete: duration.optional() },
      { error: "must be an object with optional create, update and delete durations" },
    )
    .optional();
}

/** DWS snapshot and copy names: 4–64 characters, starting with a letter, letters/digits/-/_. */
export function dwsName() {
  return text("the snapshot name")
    .min(4, "must be 4 to 64 characters long")
    .max(64, "must be 4 to 64 characters long")
    .regex(/^[A-Za-z]/, "must start with a letter")
    .regex(/^[A-Za-z0-9_-]*$/, 'may contain only letters, digits, "-" and "_"');
}

const FORBIDDEN_DESCRIPTION = /[!<>'=&"]/;

/**
 * A DWS snapshot's ownership mark: the identity stamp (32 hex digits), appended to the description
 * the cloud stores (the only free-text field of a DWS create), and stripped again when read.
 */
const DWS_MARK = / ?\[pulumi:([0-9a-f]{32})\]$/;
const DWS_MARK_LENGTH = " [pulumi:]".length + 32;
/** The cloud allows 256 characters; the mark takes the rest. */
const DWS_DESCRIPTION_MAX = 256 - DWS_MARK_LENGTH;

/** The description sent to the cloud: the user's, then the mark. */
export const dwsMarked = (description: string | undefined, stamp: string) =>
  `${description ? `${description} ` : ""}[pulumi:${stamp}]`;

/** A stored description split into the user's part and the stamp it carries, if any. */
export function dwsUnmarked(stored: string | null | undefined): { description: string; stamp?: string } {
  const m = DWS_MARK.exec(stored ?? "");
  return m ? { description: (stored ?? "").slice(0, m.index), stamp: m[1] } : { description: stored ?? "" };
}

/** DWS descriptions: at most 214 characters (the cloud's 256 less the ownership mark), none of !<>'=&" */
export function dwsDescription() {
  return text("the description")
    .max(
      DWS_DESCRIPTION_MAX,
      `must be at most ${DWS_DESCRIPTION_MAX} characters (the cloud's 256 less ${DWS_MARK_LENGTH} for the ownership mark)`,
    )
    .refine((s) => !FORBIDDEN_DESCRIPTION.test(s), {
      message: "must not contain any of the characters !<>'=&\"",
    })
    .refine((s) => !DWS_MARK.test(s), { message: 'must not end with an ownership mark "[pulumi:…]"' })
    .optional();
}

/** EVS snapshot names: up to 64 characters; the autobk_snapshot_ prefix is reserved for backups. */
export function evsName() {
  return text("the snapshot name")
    .min(1, "must not be empty")
    .max(64, "must be at most 64 characters")
    .refine((s) => !s.startsWith("autobk_snapshot_"), {
      message: 'must not start with "autobk_snapshot_" (reserved for snapshots created by disk backups)',
    });
}

/** EVS snapshot descriptions: at most 85 characters (and 255 bytes). */
export function evsDescription() {
  return text("the description")
    .max(85, "must be at most 85 characters")
    .refine((s) => Buffer.byteLength(s, "utf8") <= 255, { message: "must be at most 255 bytes in UTF-8" })
    .optional();
}

/** EVS metadata: string keys and values up to 255 characters; `__system__` keys belong to the cloud. */
export function evsMetadata() {
  return z
    .record(
      z
        .string()
        .min(1, "keys must not be empty")
        .max(255, "keys must be at most 255 characters")
        .refine((k) => !k.startsWith("__system__"), { message: 'keys must not start with "__system__"' }),
      z.string({ error: "values must be strings" }).max(255, "values must be at most 255 characters"),
      { error: "must be a map of strings to strings" },
    )
    .optional();
}
