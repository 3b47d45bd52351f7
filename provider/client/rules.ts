/**
 * The one definition of each concept that stack config, the environment and resource inputs share:
 * region names, project ids and durations. Settings (settings.ts) and the input schemas
 * (resources/rules.ts) both judge a value with these, so a value means the same wherever it is
 * written. Each rule comes with the sentence that states it, for error messages.
 *
 * Plain functions and regular expressions only: no zod schema at module scope (see CONTRIBUTING.md).
 */

/**
 * Region ids as Huawei Cloud's SDK region files list them: a two-letter area, one or more words and a
 * number (cn-north-4, ap-southeast-1, eu-west-101, my-kualalumpur-1, ae-ad-1). "cn-4" is not one.
 * Source: huaweicloud/huaweicloud-sdk-go-v3 services/{dws/v2,evs/v2,cbr/v1,iam/v3}/region/region.go.
 */
const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;
export const REGION_RULE = 'a region name such as "cn-north-4" or "ap-southeast-1"';

export function isRegionName(value: string): boolean {
  return REGION.test(value);
}

/**
 * Project ids: 32 hexadecimal digits, as IAM `KeystoneListProjects` returns them
 * (huaweicloud/huaweicloud-sdk-go-v3 core/auth/internal/iam_helper.go reads them from there).
 */
const PROJECT_ID = /^[0-9a-fA-F]{32}$/;
export const PROJECT_ID_RULE = "a project id: 32 hexadecimal digits";

export function isProjectId(value: string): boolean {
  return PROJECT_ID.test(value);
}

/**
 * Durations, in one syntax everywhere (resource `timeouts`, `huaweicloud:requestTimeout`):
 * - Go-style, as Terraform and Pulumi write them: a sequence of number + unit, units ms, s, m and h,
 *   decimals allowed: "45m", "1h30m", "90s", "1.5h", "500ms";
 * - or a whole number, meaning milliseconds: "30000".
 * Surrounding spaces are ignored. The result is in milliseconds and above zero; anything else
 * (no unit on a decimal, other units, zero, negative) is undefined.
 */
const DURATION = /^(\d+(\.\d+)?(ms|s|m|h))+$/;
export const MINUTE_MS = 60_000;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: MINUTE_MS, h: 60 * MINUTE_MS };
export const DURATION_RULE =
  'a duration such as "45m", "1h30m", "90s" or "500ms" (units ms, s, m, h), or a whole number of milliseconds, above zero';

export function parseDuration(text: string): number | undefined {
  const s = text.trim();
  let total: number;
  if (/^\d+$/.test(s)) total = Number(s);
  else if (DURATION.test(s)) {
    total = 0;
    for (const m of s.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)) total += Number(m[1]) * UNIT_MS[m[2]!]!;
  } else return undefined;
  total = Math.round(total);
  return total > 0 && Number.isFinite(total) ? total : undefined;
}
