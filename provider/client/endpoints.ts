/**
 * Which base URL a service call in a region goes to. Defaults follow Huawei's SDK region files
 * (huaweicloud-sdk-go-v3 services/{dws/v2,evs/v2,cbr/v1,iam/v3}/region/region.go); overrides come from Settings (config or environment, see settings.ts).
 */
import type { Service, Settings } from "./types";

/** Regions whose DWS endpoint is not on myhuaweicloud.com (SDK region files). */
const DWS_DOMAIN_EXCEPTIONS: Readonly<Record<string, string>> = {
  "eu-west-101": "myhuaweicloud.eu",
  "cn-south-4": "myhuaweicloud.cn",
  "cn-north-12": "myhuaweicloud.cn",
  "cn-east-4": "myhuaweicloud.cn",
  "tr-west-1": "myhuaweicloud.cn",
  "ap-southeast-4": "myhuaweicloud.cn",
};

/**
 * Regions with a regional IAM endpoint. For any other region the SDKs fall back to the global
 * `https://iam.myhuaweicloud.com`, which answers project lookups for every region.
 */
const IAM_REGIONS: ReadonlySet<string> = new Set([
  "af-north-1",
  "af-south-1",
  "ae-ad-1",
  "ap-southeast-1",
  "ap-southeast-2",
  "ap-southeast-3",
  "ap-southeast-4",
  "ap-southeast-5",
  "cn-east-2",
  "cn-east-3",
  "cn-east-4",
  "cn-east-5",
  "cn-north-1",
  "cn-north-2",
  "cn-north-4",
  "cn-north-9",
  "cn-north-11",
  "cn-north-12",
  "cn-south-1",
  "cn-south-2",
  "cn-south-4",
  "cn-southwest-2",
  "cn-southwest-3",
  "eu-west-0",
  "eu-west-101",
  "la-north-2",
  "la-south-2",
  "me-east-1",
  "my-kualalumpur-1",
  "na-mexico-1",
  "ru-moscow-1",
  "ru-northwest-2",
  "sa-brazil-1",
  "tr-west-1",
]);

export const GLOBAL_IAM_ENDPOINT = "https://iam.myhuaweicloud.com";

/** The public endpoint of a service in a region, as Huawei's SDKs have it. */
export function defaultEndpoint(service: Service, region: string): string {
  if (service === "dws") {
    return `https://dws.${region}.${DWS_DOMAIN_EXCEPTIONS[region] ?? "myhuaweicloud.com"}`;
  }
  if (service === "iam") {
    if (region === "eu-west-101") return "https://iam.eu-west-101.myhuaweicloud.eu";
    return IAM_REGIONS.has(region) ? `https://iam.${region}.myhuaweicloud.com` : GLOBAL_IAM_ENDPOINT;
  }
  // EVS and CBR stay on myhuaweicloud.com everywhere, eu-west-101 included.
  return `https://${service}.${region}.myhuaweicloud.com`;
}

/**
 * The base URL (no trailing slash) for a call. The most specific override wins: per service,
 * then per service and region (Go SDK variables), then one URL for everything, then the default.
 * `{region}` in an override is replaced by the call's region.
 */
export function endpointFor(
  settings: Pick<Settings, "endpoints" | "regionEndpoints">,
  service: Service,
  region: string,
): string {
  const override =
    settings.endpoints[service] ??
    settings.regionEndpoints?.[`${service}:${region}`] ??
    settings.endpoints.all;
  return override === undefined
    ? defaultEndpoint(service, region)
    : override.replaceAll("{region}", region).replace(/\/+$/, "");
}
