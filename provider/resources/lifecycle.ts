/**
 * Create-time helpers every resource uses: never duplicate on an ambiguous create, and wait out
 * "busy" answers instead of failing.
 */
import { HuaweiCloudError } from "../client/errors";
import { parseCloudTime } from "../services/util";
import { waitFor } from "../waiter";
import type { OpContext } from "./framework";

export interface AdoptOrCreate<T> {
  /** Sends the create request; resolves to what it created (an id, a list of records …). */
  post: () => Promise<T>;
  /** Looks for what an earlier attempt may have created. */
  find: () => Promise<T | undefined>;
}

const outcomeUnknown = (err: unknown) => err instanceof HuaweiCloudError && err.outcomeUnknown;

/**
 * Posts a create. When its outcome is unknown (connection reset or timeout after sending, 5xx),
 * looks for what it may have created and adopts it before posting again, so a retry never makes a
 * second snapshot. `startedAt` is when the cloud accepted the work, for the waiter's predictions.
 */
export async function adoptOrCreate<T>(
  ctx: OpContext,
  create: AdoptOrCreate<T>,
): Promise<{ created: T; startedAt: number | undefined }> {
  // As many tries as the client gives any request; the look-up between them is the backoff.
  const attempts = ctx.client.settings.maxRetries + 1;
  let ambiguous = false;
  for (let attempt = 1; ; attempt++) {
    const sentAt = Date.now();
    try {
      const created = await create.post();
      return { created, startedAt: Date.now() };
    } catch (err) {
      // After an ambiguous attempt, a refusal (e.g. "name already exists") may be our own first try.
      const retryable = outcomeUnknown(err);
      if (retryable || ambiguous) {
        const found = await findPatiently(create.find, ctx.deadline).catch((findErr: unknown) => {
          // Out of time while looking: the create's own error is the one to report (it may exist).
          throw Date.now() >= ctx.deadline ? err : findErr;
        });
        if (found !== undefined) return { created: found, startedAt: retryable ? undefined : sentAt };
      }
      if (!retryable || attempt >= attempts || Date.now() >= ctx.deadline) throw err;
      ambiguous = true;
    }
  }
}

/** A create that just committed may take a moment to show in lists: look a few times. */
export async function findPatiently<T>(
  find: () => Promise<T | undefined>,
  deadline: number,
): Promise<T | undefined> {
  const res = await waitFor<T | undefined>({
    poll: async () => {
      const found = await find();
      return found !== undefined
        ? { state: "success", status: "found", value: found }
        : { state: "pending", status: "not listed", value: undefined };
    },
    pollImmediately: true,
    firstDelayMs: 500,
    timeoutMs: Math.min(2_000, Math.max(0, deadline - Date.now())),
  });
  if (res.outcome === "error") throw res.error;
  return res.outcome === "success" ? res.last?.value : undefined;
}

/**
 * Calls `fn` until it stops failing as "busy" (DWS.7023 "cluster status is not allowed to
 * operation", BackupService.6130 "vault is being replicated" …), backing off, until the deadline.
 */
export async function retryWhileBusy<T>(
  ctx: OpContext,
  isBusy: (err: HuaweiCloudError) => boolean | Promise<boolean>,
  fn: () => Promise<T>,
): Promise<T> {
  let lastBusy: HuaweiCloudError | undefined;
  const res = await waitFor<T | undefined>({
    poll: async () => {
      try {
        return { state: "success", status: "accepted", value: await fn() };
      } catch (err) {
        if (err instanceof HuaweiCloudError && (await isBusy(err))) {
          lastBusy = err;
          return { state: "pending", status: err.code ?? "busy", value: undefined };
        }
        throw err;
      }
    },
    pollImmediately: true,
    firstDelayMs: 1_000,
    maxDelayMs: 15_000,
    timeoutMs: Math.max(0, ctx.deadline - Date.now()),
  });
  if (res.outcome === "success") return res.last!.value as T;
  if (res.outcome === "error") throw res.error;
  throw new HuaweiCloudError(
    `was refused as busy for ${Math.round(res.elapsedMs / 1000)}s (${res.polls} tries)`,
    {
      ...(lastBusy?.fields() ?? { kind: "timeout" }),
      kind: "timeout",
      resource: ctx.label,
      hint: "Another operation holds the resource. Wait for it to finish, or raise the resource's timeouts.",
    },
  );
}

/** A cloud timestamp as ISO 8601 UTC, or undefined. */
export function whenIso(value: string | null | undefined): string | undefined {
  const t = parseCloudTime(value);
  return t === undefined ? undefined : new Date(t).toISOString();
}
