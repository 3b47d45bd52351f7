/**
 * Issue 10 item 13: a resource's timeout bounds the whole operation, every request included. Against
 * an endpoint that never answers, `timeouts: { create: "1s" }` ends the create after about a second
 * (the request timeout is 60 s, so only the resource's deadline can end it), and the error names the
 * create, not the look-up after it, and keeps the "may already exist" warning.
 */
import { describe, expect, it } from "vitest";
import { configure, provider } from "../../provider/resources/impl";
import { json, PROJECT, startServer } from "../client/server";

const VOLUME = "5aa119a8-d25b-45a7-8d1b-88e127885635";

function useEndpoint(url: string) {
  const config: Record<string, string> = {
    "huaweicloud:endpoint": url,
    "huaweicloud:region": "cn-north-4",
    "huaweicloud:projectId": PROJECT,
    "huaweicloud:accessKey": "AKTESTACCESSKEY0001",
    "huaweicloud:secretKey": "SKtestSecretKeyValue0001",
    "huaweicloud:requestTimeout": "60s",
  };
  configure({ config: { get: (k: string) => config[k] } });
}

async function createFailure(inputs: Record<string, unknown>) {
  const evs = provider("EvsSnapshot");
  const { inputs: checked, failures } = await evs.check({}, inputs);
  expect(failures).toEqual([]);
  return evs.create(checked).then(
    () => {
      throw new Error("expected the create to fail");
    },
    (e: unknown) =>
      e as Error & { kind?: string; operation?: string; outcomeUnknown?: boolean; hint?: string },
  );
}

describe("resource timeouts are deadlines", () => {
  it("an endpoint that never answers: the create ends at its timeout, naming the create", async () => {
    const server = await startServer(() => undefined); // never answers anything
    useEndpoint(server.url);
    const err = await createFailure({ volumeId: VOLUME, name: "nightly", timeouts: { create: "1s" } });
    expect(err.message).toContain('EVS snapshot "nightly"');
    expect(err.operation).toBe("CreateSnapshot");
    expect(err.message).toContain("CreateSnapshot");
    expect(err.outcomeUnknown).toBe(true);
    expect(err.hint).toMatch(/may already have taken effect/);
    expect(server.requests.filter((r) => r.method === "POST")).toHaveLength(1);
  }, 20_000);

  it("a wait whose polls never answer ends at the timeout as a wait timeout (kept in state)", async () => {
    // The create is accepted; every later call hangs.
    const server = await startServer((req, res) => {
      if (req.method !== "POST") return; // never answers
      json(res, 200, {
        snapshot: {
          id: "2a4d0f86-67cd-408a-8b66-017454fb7793",
          name: "nightly",
          status: "creating",
          volume_id: VOLUME,
          size: 10,
          created_at: new Date().toISOString(),
        },
      });
    });
    useEndpoint(server.url);
    const err = (await createFailure({
      volumeId: VOLUME,
      name: "kept",
      timeouts: { create: "1s" },
    })) as Error & {
      id?: string;
    };
    expect(err.id).toBe("2a4d0f86-67cd-408a-8b66-017454fb7793"); // a partial failure: kept in state
    expect(err.message).toMatch(/still .* after .*waiting to become available/);
    expect(err.message).toMatch(/kept in state/);
  }, 20_000);
});
