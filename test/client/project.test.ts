import { describe, expect, it } from "vitest";
import { createClient, HuaweiCloudError } from "../../provider/client";
import { json, startServer, testSettings } from "./server";

const EAST = "cn-east-3";

/** A server that answers IAM project lookups from `projects` and every other call with {}. */
async function iamServer(projects: { id: string; name: string }[]) {
  return startServer(async (req, res) => {
    if (req.path === "/v3/projects") {
      await new Promise((r) => setTimeout(r, 20)); // long enough for concurrent callers to pile up
      const name = req.query.get("name");
      return json(
        res,
        200,
        { projects: projects.filter((p) => p.name === name), links: {} },
        { "x-iam-trace-id": "iam-trace-1" },
      );
    }
    return json(res, 200, {});
  });
}

const listInEast = {
  service: "cbr" as const,
  operation: "ListBackups",
  region: EAST,
  method: "GET" as const,
  path: "/v3/{project_id}/backups",
};

describe("project id resolution through IAM", () => {
  it("resolves the one project named after the region, signed and without X-Project-Id", async () => {
    const server = await iamServer([
      { id: "east-project-id", name: EAST },
      { id: "north-project-id", name: "cn-north-4" },
    ]);
    const client = createClient(testSettings(server.url));
    await client.request(listInEast);
    const [iam, call] = server.requests;
    expect(iam!.url).toBe("/v3/projects?name=cn-east-3");
    expect(iam!.headers["x-project-id"]).toBeUndefined();
    expect(String(iam!.headers.authorization)).toMatch(/^SDK-HMAC-SHA256 Access=AKTESTACCESSKEY0001, /);
    expect(call!.path).toBe("/v3/east-project-id/backups");
    expect(call!.headers["x-project-id"]).toBe("east-project-id");
  });

  it("a configured project id is used without asking IAM", async () => {
    const server = await iamServer([]);
    const client = createClient(testSettings(server.url, { projectIds: { [EAST]: "configured-id" } }));
    expect(await client.projectId(EAST)).toBe("configured-id");
    expect(server.requests).toHaveLength(0);
  });

  it("caches per access key and region, and 100 concurrent callers share one lookup", async () => {
    const server = await iamServer([{ id: "east-project-id", name: EAST }]);
    const client = createClient(testSettings(server.url));
    const ids = await Promise.all(Array.from({ length: 100 }, () => client.projectId(EAST)));
    expect(new Set(ids)).toEqual(new Set(["east-project-id"]));
    // A second client with the same access key uses the cache; another key asks again.
    await createClient(testSettings(server.url)).projectId(EAST);
    const iamCalls = () => server.requests.filter((r) => r.path === "/v3/projects").length;
    expect(iamCalls()).toBe(1);
    const other = testSettings(server.url, {
      credentials: { accessKey: "AKOTHER0000000000000", secretKey: "x" },
    });
    await createClient(other).projectId(EAST);
    expect(iamCalls()).toBe(2);
  });

  it("no project: a clear error, and the failure is not cached", async () => {
    const server = await iamServer([]);
    const client = createClient(testSettings(server.url));
    const err = await client.request(listInEast).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HuaweiCloudError);
    expect((err as HuaweiCloudError).message).toContain('IAM knows no project named "cn-east-3"');
    expect((err as HuaweiCloudError).requestId).toBe("iam-trace-1");
    expect((err as HuaweiCloudError).hint).toContain("huaweicloud:projectIds");
    await client.projectId(EAST).catch(() => undefined);
    expect(server.requests.filter((r) => r.path === "/v3/projects")).toHaveLength(2);
  });

  it("several projects: an error listing their ids", async () => {
    const server = await iamServer([
      { id: "id-one", name: EAST },
      { id: "id-two", name: EAST },
    ]);
    const err = await createClient(testSettings(server.url))
      .projectId(EAST)
      .catch((e: unknown) => e as HuaweiCloudError);
    expect(err).toBeInstanceOf(HuaweiCloudError);
    expect((err as HuaweiCloudError).message).toContain('2 projects named "cn-east-3": id-one, id-two');
  });

  it("a region that is not a region name is refused before any call", async () => {
    const server = await iamServer([]);
    const err = await createClient(testSettings(server.url))
      .projectId("evil.example.com/")
      .catch((e: unknown) => e as HuaweiCloudError);
    expect(err).toBeInstanceOf(HuaweiCloudError);
    expect((err as HuaweiCloudError).kind).toBe("input");
    expect(server.requests).toHaveLength(0);
  });
});
