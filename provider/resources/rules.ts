/**
 * Input rules, as the cloud states them (shared/reference/huawei-apis.md and the seed documents),
 * as zod schema factories. Each message states the rule; check() prefixes the property.
 */
import { z } from "zod";
import { parseDuration } from "./framework";

const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

export function cloudId(what: string) {
  return z
    .string({ error: `must be the ${what} id, a string` })
    .regex(UUID, `must be a ${what} id shaped like a UUID (8-4-4-4-12 hexadecimal digits)`);
}

export function projectId() {
  return z
    .string({ error: "must be a project id, a string" })
    .regex(/^[0-9a-fA-F]{32}$/, "must be a project id: 32 hexadecimal digits");
}

export function regionName() {
  return z
    .string({ error: "must be a region name, a string" })
    .regex(
      /^[a-z]{2}-[a-z]+(-[a-z]+)*-\d+$/,
      'must be a region name such as "cn-north-4" or "ap-southeast-1"',
    );
}

export function timeouts() {
  const duration = z
    .string({ error: 'must be a duration string such as "45m", "1h30m" or "90s"' })
    .refine((s) => parseDuration(s) !== undefined, {
      message: 'must be a duration such as "45m", "1h30m", "90s" or "500ms" (units ms, s, m, h; above zero)',
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
  return z
    .string({ error: "is required: a string" })
    .min(4, "must be 4 to 64 characters long")
    .max(64, "must be 4 to 64 characters long")
    .regex(/^[A-Za-z]/, "must start with a letter")
    .regex(/^[A-Za-z0-9_-]*$/, 'may contain only letters, digits, "-" and "_"');
}

const FORBIDDEN_DESCRIPTION = /[!<>'=&"]/;

/** DWS descriptions: at most 256 characters, none of !<>'=&" */
export function dwsDescription() {
  return z
    .string({ error: "must be a string" })
    .max(256, "must be at most 256 characters")
    .refine((s) => !FORBIDDEN_DESCRIPTION.test(s), {
      message: "must not contain any of the characters !<>'=&\"",
    })
    .optional();
}

/** EVS snapshot names: up to 64 characters; the autobk_snapshot_ prefix is reserved for backups. */
export function evsName() {
  return z
    .string({ error: "is required: a string" })
    .min(1, "must not be empty")
    .max(64, "must be at most 64 characters")
    .refine((s) => !s.startsWith("autobk_snapshot_"), {
      message: 'must not start with "autobk_snapshot_" (reserved for snapshots created by disk backups)',
    });
}

/** EVS snapshot descriptions: at most 85 characters (and 255 bytes). */
export function evsDescription() {
  return z
    .string({ error: "must be a string" })
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
