/**
 * A scriptable HTTP server on 127.0.0.1:0 for the client tests. Each request is recorded; the
 * handler decides the answer (or destroys the socket to simulate a reset).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach } from "vitest";
import { resetLimiters } from "../../provider/client/limiter";
import { resetProjectIdCache } from "../../provider/client/project";
import type { Settings } from "../../provider/client/types";

export interface Recorded {
  method: string;
  url: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage["headers"];
  body: string;
}

export type Handler = (req: Recorded, res: ServerResponse, n: number) => unknown;

export interface TestServer {
  url: string;
  requests: Recorded[];
  maxInFlight: number;
  close(): Promise<void>;
}

const open: TestServer[] = [];

afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
  resetLimiters();
  resetProjectIdCache();
});

export async function startServer(handler: Handler): Promise<TestServer> {
  const requests: Recorded[] = [];
  let inFlight = 0;
  const state = { maxInFlight: 0 };
  const server: Server = createServer((req, res) => {
    inFlight += 1;
    state.maxInFlight = Math.max(state.maxInFlight, inFlight);
    res.on("close", () => {
      inFlight -= 1;
    });
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", async () => {
      const url = new URL(req.url ?? "/", "http://127.0.0.1");
      const rec: Recorded = {
        method: req.method ?? "",
        url: req.url ?? "",
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        body: Buffer.concat(chunks).toString("utf8"),
      };
      requests.push(rec);
      try {
        await handler(rec, res, requests.length);
      } catch (err) {
        res.writeHead(599).end(String(err));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const s: TestServer = {
    url: `http://127.0.0.1:${port}`,
    requests,
    get maxInFlight() {
      return state.maxInFlight;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  open.push(s);
  return s;
}

export function json(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) {
  res.writeHead(status, { "content-type": "application/json", ...headers }).end(JSON.stringify(body));
}

export const PROJECT = "0123456789abcdef0123456789abcdef";

/** Settings aimed at a test server, with a configured project id and fast failures. */
export function testSettings(url: string, overrides: Partial<Settings> = {}): Settings {
  return {
    credentials: { accessKey: "AKTESTACCESSKEY0001", secretKey: "SKtestSecretKeyValue0001" },
    region: "cn-north-4",
    projectIds: { "cn-north-4": PROJECT },
    endpoints: { all: url },
    requestTimeoutMs: 2000,
    maxRetries: 3,
    ...overrides,
  };
}
