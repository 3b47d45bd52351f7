/**
 * The shape every snapshot resource shares: a cloud object watched through its service's `find`
 * and its status sets with the one waiter (read, wait until settled, delete and wait until gone),
 * and the create-time helpers (never duplicate on an ambiguous create, wait out "busy" answers).
 */
import { HuaweiCloudError } from "../client/errors";
import { parseCloudTime } from "../services/util";
import { anyEnd, type Observation, waitFor } from "../waiter";
import { DELETE_FIRST_POLL_MS, type OpContext, type Props, waitUntil } from "./framework";

/** A kind of cloud object as a resource watches it. */
export interface Watched<T, O extends Props = Props> {
  /** The service's find: the object, or undefined when there is none. */
  find(ctx: OpContext, id: string): Promise<T | undefined>;
  status(o: T): string;
  progress(o: T): number | undefined;
  /** Statuses that mean "done". */
  settled: ReadonlySet<string>;
  /** Statuses it does not come back from. */
  failed: ReadonlySet<string>;
  /** The state fields an observation shows. */
  outputs(o: T): O;
}

export function observe<T>(w: Watched<T, Props>, o: T): Observation<T> {
  const status = w.status(o);
  const state = w.settled.has(status) ? "success" : w.failed.has(status) ? "failure" : "pending";
  return { state, status, progress: w.progress(o), value: o };
}

/** Whether a status read from state is neither settled nor failed: a wait was cut short. */
export function unsettled(w: Watched<unknown, Props>, status: string | undefined): boolean {
  return status === undefined || (!w.settled.has(status) && !w.failed.has(status));
}

/** What a refresh shows: the object's state fields, or undefined when it is gone. */
export async function readWatched<T, O extends Props>(
  ctx: OpContext,
  w: Watched<T, O>,
  id: string,
): Promise<O | undefined> {
  const o = await w.find(ctx, id);
  return o === undefined ? undefined : w.outputs(o);
}

export interface SettleOptions {
  /** "to become AVAILABLE" */
  goal: string;
  startedAt?: number;
  pollImmediately?: boolean;
  failureHint?: string;
  /** "any": a terminal failure or the object's disappearance ends the wait too (before a delete). */
  end?: "settled" | "any";
}

/**
 * Waits until the object settles, within the operation's deadline; returns it. A terminal failure
 * is an error (unless any end will do), and so is its disappearance while a create waits.
 */
export async function waitSettled<T, O extends Props>(
  ctx: OpContext,
  w: Watched<T, O>,
  id: string,
  opts: SettleOptions,
): Promise<T | undefined> {
  const any = opts.end === "any";
  const done = await waitUntil(ctx, {
    goal: opts.goal,
    poll: async () => {
      const o = await w.find(ctx, id);
      if (o === undefined) {
        if (any) return { state: "gone", status: "deleted", value: undefined };
        throw new HuaweiCloudError(`no longer exists (deleted outside Pulumi?) while waiting ${opts.goal}`, {
          kind: "failed",
          resource: ctx.label,
          hint: "Run `pulumi refresh` to drop it from state, then `pulumi up` to create it again.",
        });
      }
      return any ? anyEnd(observe(w, o)) : observe(w, o);
    },
    startedAt: opts.startedAt,
    pollImmediately: opts.pollImmediately,
    failureHint: opts.failureHint,
    outputs: (o) => (o === undefined ? {} : w.outputs(o)),
  });
  return done.value;
}

/**
 * `existingId`: the object must exist and match every identifying input (each check returns what
 * differs, or undefined); then it is managed like a created one.
 */
export async function adoptExisting<T>(
  ctx: OpContext,
  w: Watched<T, Props>,
  id: string,
  checks: ((o: T) => string | undefined)[],
): Promise<T> {
  const o = await w.find(ctx, id);
  if (o === undefined) {
    throw new HuaweiCloudError(`existingId ${id}: there is no such snapshot in region ${ctx.region}`, {
      kind: "input",
      resource: ctx.label,
      hint: "Check the id and the region, or remove existingId to create a new snapshot.",
    });
  }
  const mismatch = checks.map((check) => check(o)).filter((m) => m !== undefined);
  if (mismatch.length > 0) {
    throw new HuaweiCloudError(`cannot adopt snapshot ${id}: ${mismatch.join("; ")}`, {
      kind: "input",
      resource: ctx.label,
      hint: "Set existingId to a snapshot that matches the resource's inputs, or change the inputs to match it.",
    });
  }
  return o;
}

/** What a DELETE request came to. */
export type DeleteSent = "sent" | "gone" | "not-yet";

export interface DeleteOptions {
  /** Sends the DELETE: "gone" when the cloud says it is gone already, "not-yet" when it must settle first. */
  send: () => Promise<DeleteSent>;
  /** Statuses in which a DELETE is accepted (and which show that one has not been carried out). */
  deletable: ReadonlySet<string>;
  /** Statuses that mean the cloud failed to delete it. */
  deleteFailed?: ReadonlySet<string>;
  /** Send at once, without looking first (the state says it can be deleted). */
  sendFirst: boolean;
  failureHint: string;
}

/** A delete accepted but not carried out is sent again, this many times at most in all. */
const MAX_DELETE_SENDS = 4;
/** Polls that must still see a deletable status after a DELETE before it is sent again. */
const POLLS_BEFORE_RESEND = 2;

/**
 * Deletes the object and waits until it is gone; gone already is success. An object still being
 * created is waited out first; a DELETE that was accepted but not carried out (the object still
 * shows a deletable status) is sent again, a bounded number of times.
 */
export async function deleteWatched<T>(
  ctx: OpContext,
  w: Watched<T, Props>,
  id: string,
  opts: DeleteOptions,
): Promise<void> {
  let sends = 0;
  let stillThere = 0;
  const send = async (): Promise<boolean> => {
    const r = await opts.send();
    if (r === "sent") {
      sends++;
      stillThere = 0;
    }
    return r === "gone";
  };
  if (opts.sendFirst && (await send())) return;
  await waitUntil(ctx, {
    goal: "to be deleted",
    firstDelayMs: DELETE_FIRST_POLL_MS,
    pollImmediately: sends === 0,
    poll: async () => {
      const o = await w.find(ctx, id);
      if (o === undefined) return { state: "gone", status: "deleted", value: undefined };
      const status = w.status(o);
      if (opts.deleteFailed?.has(status)) return { state: "failure", status, value: undefined };
      if (opts.deletable.has(status)) {
        const due = sends === 0 || (++stillThere >= POLLS_BEFORE_RESEND && sends < MAX_DELETE_SENDS);
        if (due && (await send())) return { state: "gone", status: "deleted", value: undefined };
      }
      // While it is still being created, its progress tells when the delete can be sent.
      const progress = sends === 0 ? w.progress(o) : undefined;
      return { state: "pending", status, progress, value: undefined };
    },
    failureHint: opts.failureHint,
  });
}

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
 * operation", BackupService.6131 while the backup's old replica is being deleted …), backing off, until the deadline.
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
