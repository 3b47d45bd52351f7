/**
 * Project id per region: configured, or looked up once through IAM `GET /v3/projects?name={region}`
 * (as Huawei's Go SDK does: huaweicloud-sdk-go-v3 core/auth/internal/iam_helper.go) and cached for the life of the process, per access key, IAM endpoint and
 * region. The in-flight lookup itself is shared, so a hundred resources starting at once make one
 * IAM call; a failed lookup is forgotten so the next call tries again.
 */
import { z } from "zod";
import { HuaweiCloudError } from "./errors";
import type { HuaweiClient } from "./types";

const lookups = new Map<string, Promise<string>>();

/** Forgets every resolved project id (tests). */
export function resetProjectIdCache(): void {
  lookups.clear();
}

export function sharedLookup(key: string, lookup: () => Promise<string>): Promise<string> {
  let pending = lookups.get(key);
  if (!pending) {
    pending = lookup();
    lookups.set(key, pending);
    pending.catch(() => {
      if (lookups.get(key) === pending) lookups.delete(key);
    });
  }
  return pending;
}

function projectsSchema() {
  return z.object({ projects: z.array(z.object({ id: z.string(), name: z.string() })) });
}

/** Asks IAM for the project named after the region; exactly one must match. */
export async function lookUpProjectId(
  client: Pick<HuaweiClient, "request">,
  region: string,
): Promise<string> {
  const res = await client.request({
    service: "iam",
    operation: "KeystoneListProjects",
    region,
    method: "GET",
    path: "/v3/projects",
    query: { name: region },
    response: projectsSchema,
  });
  // IAM filters by name already; filtering again guards against a server that ignores the query.
  const matches = res.body.projects.filter((p) => p.name === region);
  const base = {
    kind: "input" as const,
    service: "iam",
    operation: "KeystoneListProjects",
    requestId: res.requestId,
  };
  if (matches.length === 1) return matches[0]!.id;
  if (matches.length === 0) {
    throw new HuaweiCloudError(`IAM knows no project named "${region}" for these credentials.`, {
      ...base,
      hint:
        "Check the region name, that the account has opened this region, or set the project id with " +
        'huaweicloud:projectId (default region) or huaweicloud:projectIds ({"region":"id"}).',
    });
  }
  throw new HuaweiCloudError(
    `IAM has ${matches.length} projects named "${region}": ${matches.map((p) => p.id).join(", ")}.`,
    { ...base, hint: 'Choose one with huaweicloud:projectIds ({"region":"id"}) or huaweicloud:projectId.' },
  );
}
