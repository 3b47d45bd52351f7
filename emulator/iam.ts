/**
 * IAM model: one project per region, the demo user's password tokens, and the access keys the
 * gateway accepts (demo permanent key and demo temporary keys). Tokens live in memory only.
 */
import { randomBytes } from "node:crypto";
import { isoMicros } from "./clock";
import type { ModelContext } from "./context";
import { DEMO_ACCESS_KEY, DEMO_SECRET_KEY, DEMO_TEMPORARY_CREDENTIALS, DEMO_USER } from "./defaults";
import { iamError } from "./errors";

export interface AccessKeyEntry {
  secretKey: string;
  securityToken?: string;
  expiresAt?: number;
}

const TOKEN_LIFETIME_MS = 24 * 3_600_000;

export class IamModel {
  readonly accessKeys = new Map<string, AccessKeyEntry>();
  private readonly tokens = new Map<string, { expiresAt: number; projectId?: string }>();

  constructor(private readonly ctx: ModelContext) {
    this.accessKeys.set(DEMO_ACCESS_KEY, { secretKey: DEMO_SECRET_KEY });
    for (const t of DEMO_TEMPORARY_CREDENTIALS) {
      this.accessKeys.set(t.accessKey, {
        secretKey: t.secretKey,
        securityToken: t.securityToken,
        expiresAt: Date.parse(t.expiresAt),
      });
    }
  }

  projectView(r: { name: string; projectId: string }): Record<string, unknown> {
    return {
      id: r.projectId,
      name: r.name,
      domain_id: DEMO_USER.domainId,
      enabled: true,
      parent_id: DEMO_USER.domainId,
      is_domain: false,
      description: "",
      links: { self: `/v3/projects/${r.projectId}` },
    };
  }

  listProjects(name: string | undefined): Record<string, unknown>[] {
    return this.ctx
      .regions()
      .filter((r) => name === undefined || r.name === name)
      .map((r) => this.projectView(r));
  }

  /** Password authentication; returns the token (X-Subject-Token) and the token body. */
  createToken(input: {
    user: string;
    password: string;
    domain?: string;
    projectName?: string;
    projectId?: string;
  }): { token: string; body: Record<string, unknown> } {
    if (input.user !== DEMO_USER.name || input.password !== DEMO_USER.password) {
      throw iamError(401, "IAM.0021", "The username or password is incorrect.");
    }
    if (input.domain !== undefined && input.domain !== DEMO_USER.domainName) {
      throw iamError(401, "IAM.0021", "The username or password is incorrect.");
    }
    const region = this.ctx
      .regions()
      .find((r) =>
        input.projectId !== undefined ? r.projectId === input.projectId : r.name === input.projectName,
      );
    if ((input.projectName !== undefined || input.projectId !== undefined) && !region) {
      throw iamError(400, "IAM.0031", "The project does not exist.");
    }
    const now = this.ctx.clock.now();
    const token = `MII${randomBytes(48).toString("base64url")}`;
    const expiresAt = now + TOKEN_LIFETIME_MS;
    this.tokens.set(token, { expiresAt, ...(region ? { projectId: region.projectId } : {}) });
    const body = {
      token: {
        expires_at: `${new Date(expiresAt).toISOString()}`,
        issued_at: `${isoMicros(now)}Z`,
        methods: ["password"],
        catalog: [],
        ...(region
          ? {
              project: {
                id: region.projectId,
                name: region.name,
                domain: { id: DEMO_USER.domainId, name: DEMO_USER.domainName },
              },
            }
          : { domain: { id: DEMO_USER.domainId, name: DEMO_USER.domainName } }),
        user: {
          id: DEMO_USER.userId,
          name: DEMO_USER.name,
          domain: { id: DEMO_USER.domainId, name: DEMO_USER.domainName },
          password_expires_at: "",
        },
        roles: [{ id: "0", name: "te_admin" }],
      },
    };
    return { token, body };
  }

  /** "ok", "expired" or "unknown". */
  checkToken(token: string): "ok" | "expired" | "unknown" {
    const t = this.tokens.get(token);
    if (!t) return "unknown";
    return t.expiresAt > this.ctx.clock.now() ? "ok" : "expired";
  }

  listDomains(): Record<string, unknown>[] {
    return [{ id: DEMO_USER.domainId, name: DEMO_USER.domainName, enabled: true, description: "" }];
  }
}
