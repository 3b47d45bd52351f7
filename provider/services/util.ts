/** Small parsers shared by the service modules. */

/** Progress as the APIs report it: "50%", "50" or 50. Undefined when absent or unparseable. */
export function parsePercent(value: string | number | null | undefined): number | undefined {
  if (value === null || value === undefined || value === "") return undefined;
  const n = typeof value === "number" ? value : Number.parseFloat(String(value).replace("%", ""));
  return Number.isFinite(n) ? Math.max(0, Math.min(100, n)) : undefined;
}

/**
 * Cloud timestamps to epoch ms. The services write UTC with or without a `Z` or offset, and with or
 * without microseconds (`2016-08-23T03:59:23Z`, `2024-01-02T03:04:05.123456`); a bare one is UTC.
 */
export function parseCloudTime(value: string | null | undefined): number | undefined {
  if (!value) return undefined;
  const m = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(\.\d+)?(Z|[+-]\d{2}:?\d{2})?$/.exec(value.trim());
  if (!m) return undefined;
  const ms = m[3] ? m[3].slice(0, 4).padEnd(4, "0") : "";
  const zone = m[4] ?? "Z";
  const t = Date.parse(`${m[1]}T${m[2]}${ms}${zone === "Z" ? "Z" : zone}`);
  return Number.isNaN(t) ? undefined : t;
}
