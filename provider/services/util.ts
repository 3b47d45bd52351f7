/** Small parsers and the one pager shared by the service modules. */
import { HuaweiCloudError, isNotFound } from "../client/errors";

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

/** One page as a list call answered it. */
export interface Page<T> {
  items: T[];
  /** The total the API reports (`count`), when it does. */
  count?: number;
  /** Whether the API says more pages follow (EVS `snapshots_links` rel "next"), when it says so. */
  more?: boolean;
}

/** Where the next page starts: `offset` for offset/limit APIs, `marker` (the last id seen) for marker APIs. */
export interface PageRequest {
  limit: number;
  offset: number;
  marker?: string;
}

export interface PagingOptions<T> {
  /** The page size asked for (the API's maximum, so a list takes as few calls as it can). */
  limit: number;
  /** "offset": offset/limit (DWS cluster snapshots, EVS, CBR); "marker": the last id seen (CBR). */
  style: "offset" | "marker";
  /** The id of an item: pages are joined without repeats (offset paging shifts while objects come and go). */
  idOf: (item: T) => string;
  /** Bound on the calls of one listing; reaching it is an error, never a silent truncation. */
  maxPages?: number;
}

/** Follows every page of a list call (huawei-apis.md §1.3, §2.5, §3.2), bounded in calls. */
export async function allPages<T>(
  fetchPage: (req: PageRequest) => Promise<Page<T>>,
  opts: PagingOptions<T>,
): Promise<T[]> {
  const maxPages = opts.maxPages ?? 1_000;
  const seen = new Set<string>();
  const all: T[] = [];
  let offset = 0;
  let marker: string | undefined;
  for (let page = 1; page <= maxPages; page++) {
    const res = await fetchPage({ limit: opts.limit, offset, ...(marker === undefined ? {} : { marker }) });
    for (const item of res.items) {
      const id = opts.idOf(item);
      if (seen.has(id)) continue;
      seen.add(id);
      all.push(item);
    }
    offset += res.items.length;
    const last = res.items[res.items.length - 1];
    const nextMarker = last === undefined ? undefined : opts.idOf(last);
    if (res.items.length === 0 || lastPage(res, offset, opts) || nextMarker === marker) return all;
    marker = nextMarker;
  }
  throw new HuaweiCloudError(`a list did not end within ${maxPages} pages of ${opts.limit}`, {
    kind: "response",
  });
}

/**
 * The API's own word first: an offset list's total (`count`), then a "next" link; only without
 * either, a short page (an API that caps `limit` below what was asked must not end a list early).
 */
function lastPage<T>(res: Page<T>, seen: number, opts: PagingOptions<T>): boolean {
  if (opts.style === "offset" && res.count !== undefined) return seen >= res.count;
  if (res.more !== undefined) return !res.more;
  return res.items.length < opts.limit;
}

/** A DELETE: "sent", or "gone" when there was nothing to delete (not-found, or one of `goneCodes`). */
export async function sentOrGone(
  del: Promise<void>,
  goneCodes: readonly string[] = [],
): Promise<"sent" | "gone"> {
  try {
    await del;
    return "sent";
  } catch (err) {
    if (isNotFound(err) || (err instanceof HuaweiCloudError && goneCodes.includes(err.code ?? "")))
      return "gone";
    throw err;
  }
}

/** The one place a look-up's not-found is caught: the object, or undefined when there is none. */
export async function orUndefined<T>(get: Promise<T>): Promise<T | undefined> {
  try {
    return await get;
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}
