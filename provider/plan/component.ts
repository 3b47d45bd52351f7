/**
 * BackupPlan: a component resource that turns a backup definition into snapshots that rotate.
 *
 * Each time the program runs (every `pulumi preview` and `pulumi up`), the plan finds its own
 * snapshots that exist (the lookups, recognised by name and marker: names.ts), decides what to keep
 * (rotation.ts) and declares one child per kept snapshot — the existing resources, so waiting,
 * partial failures, adoption and timeouts behave as they do alone — with a name stable per target
 * and period. The current period's child is created when it does not exist yet; a snapshot out of
 * retention is not declared, so the engine deletes it as a removed child. Preview shows exactly
 * those creates and deletes. See docs/backup-plan.md.
 */
import * as pulumi from "@pulumi/pulumi";
import { CbrReplication, DwsSnapshot, DwsSnapshotCopy, EvsSnapshot } from "../index";
import { getDwsSnapshots, getEvsSnapshots } from "../lookups";
import { clientForCall } from "../resources/framework";
import { type BackupPlanDefinition, type CheckedPlan, checkPlan } from "./definition";
import { type OwnSnapshot, ownDwsCopy, ownDwsSnapshot, ownEvsSnapshot } from "./names";
import { type Child, type Existing, type Rotation, rotate } from "./rotation";

export type BackupPlanArgs = BackupPlanDefinition;

/** What the plan holds for one target (a volume, a cluster, a cluster's automated copies, a vault). */
export interface BackupPlanTarget {
  /** "evs:<volume id>", "dws:<cluster id>", "dws-copies:<cluster id>" or "cbr:<vault id>". */
  target: string;
  /** Newest first: every snapshot kept after this `up`, with its period stamp (`20261130-0000`). */
  kept: { period: string; snapshotId: string }[];
  /** Periods whose snapshot this `up` created. */
  created: string[];
  /** Snapshots this `up` deleted as out of retention. */
  deleted: { period: string; snapshotId: string }[];
  /** Snapshots shaped like the plan's for a period already held by another: left alone. */
  ignored: string[];
}

const program = { get: (key: string) => pulumi.runtime.getConfig(key) };

/** The provider's default region, for the rule "replication goes to another region". */
function defaultRegion(): string | undefined {
  try {
    return clientForCall(program).settings.region;
  } catch {
    return undefined; // no credentials yet: the rule is checked again by the replication itself
  }
}

const ownOnly = <T>(list: T[], own: (t: T) => OwnSnapshot | undefined) =>
  list.flatMap((t) => {
    const o = own(t);
    return o ? [o] : [];
  });

/** The plan's own snapshots that exist now, and the automated snapshots it may copy: the lookups only. */
async function findExisting(plan: CheckedPlan): Promise<Existing> {
  const existing: Existing = { evs: new Map(), dws: new Map(), copies: new Map(), automated: new Map() };
  const region = plan.region;
  const prefix = plan.namePrefix;
  await Promise.all([
    ...plan.evsVolumes.map(async (volumeId) => {
      const { items } = await getEvsSnapshots({ volumeId, region, namePrefix: `${prefix}-` });
      const live = items.filter((s) => s.status !== "deleting" && s.status !== "error_deleting");
      existing.evs.set(
        volumeId,
        ownOnly(live, (s) => ownEvsSnapshot(prefix, { id: s.id, name: s.name, metadata: s.cloudMetadata })),
      );
    }),
    ...plan.dwsClusters.map(async (clusterId) => {
      const { items } = await getDwsSnapshots({
        clusterId,
        region,
        type: "manual",
        namePrefix: `${prefix}-`,
      });
      existing.dws.set(
        clusterId,
        ownOnly(items, (s) => ownDwsSnapshot(prefix, clusterId, s)),
      );
    }),
    ...plan.dwsAutomatedCopies.map(async ({ clusterId }) => {
      const [copies, automated] = await Promise.all([
        getDwsSnapshots({ clusterId, region, type: "manual", namePrefix: `${prefix}-` }),
        getDwsSnapshots({ clusterId, region, type: "automated", status: "AVAILABLE" }),
      ]);
      existing.copies.set(
        clusterId,
        ownOnly(copies.items, (s) => ownDwsCopy(prefix, clusterId, s)),
      );
      existing.automated.set(
        clusterId,
        automated.items.flatMap((a) => (a.startedAt ? [{ id: a.id, start: Date.parse(a.startedAt) }] : [])),
      );
    }),
  ]);
  return existing;
}

type ChildResource = EvsSnapshot | DwsSnapshot | DwsSnapshotCopy | CbrReplication;

function declare(child: Child, parent: pulumi.Resource): ChildResource {
  const opts = { parent };
  const args = child.args as never;
  switch (child.kind) {
    case "EvsSnapshot":
      return new EvsSnapshot(child.name, args, opts);
    case "DwsSnapshot":
      return new DwsSnapshot(child.name, args, opts);
    case "DwsSnapshotCopy":
      return new DwsSnapshotCopy(child.name, args, opts);
    case "CbrReplication":
      return new CbrReplication(child.name, args, opts);
  }
}

/**
 * Snapshots of EVS disks and DWS clusters taken once per period and kept by a retention rule,
 * manual copies of a cluster's automated snapshots, and a vault's replication to another region,
 * declared as one definition:
 *
 * ```ts
 * new BackupPlan("warehouse", {
 *   every: "1d",
 *   keep: { last: 7, maxAge: "30d" },
 *   evsVolumes: [dataDiskId, logDiskId],
 *   dwsClusters: [clusterId],
 *   dwsAutomatedCopies: { clusterId, keep: { maxAge: "90d" } },
 *   replicate: { sourceVaultId, destinationVaultId, destinationRegion: "ap-southeast-1" },
 * });
 * ```
 *
 * Run `pulumi up` once per period (cron, CI, Pulumi Deployments): it creates the current period's
 * snapshots, keeps those inside the retention and deletes the rest; `pulumi preview` shows exactly that.
 * Ids in the definition must be known when the program runs (plain strings), because they decide
 * which children exist: an unknown would make a preview delete them.
 */
export class BackupPlan extends pulumi.ComponentResource {
  /** Per target: what is kept, and what this `up` created and deleted. */
  declare readonly targets: pulumi.Output<BackupPlanTarget[]>;
  /** The current period's start (ISO 8601, UTC). */
  declare readonly periodStart: pulumi.Output<string>;
  /** When the next period starts: the next `up` after it creates the next snapshots. */
  declare readonly nextPeriodStart: pulumi.Output<string>;
  /** The children, by their Pulumi names. */
  declare readonly snapshots: pulumi.Output<Record<string, string>>;

  constructor(name: string, args: BackupPlanArgs, opts?: pulumi.ComponentResourceOptions) {
    // Every rule is checked here, before the component or any API call: a bad definition changes nothing.
    const plan = checkPlan(name, args, args.region ?? defaultRegion());
    super("huaweicloud:index:BackupPlan", name, {}, opts);
    // The lookups are plain HTTP, not engine calls: hold the program open until the children are declared.
    const done = pulumi.runtime.rpcKeepAlive();
    const declared = findExisting(plan)
      .then((existing) => {
        const rotation = rotate(name, plan, existing);
        return {
          rotation,
          children: rotation.children.map((c) => ({ child: c, resource: declare(c, this) })),
        };
      })
      .finally(done);
    const ids = pulumi.output(
      declared.then(({ children }) =>
        pulumi.all(
          children.map(({ child, resource }) => resource.id.apply((id) => [child.name, id] as const)),
        ),
      ),
    );
    const report = pulumi
      .output(declared)
      .apply(({ rotation, children }) => ids.apply((pairs) => targetsOf(rotation, children, new Map(pairs))));
    this.targets = report;
    this.periodStart = pulumi.output(
      declared.then(({ rotation }) => new Date(rotation.periodStart).toISOString()),
    );
    this.nextPeriodStart = pulumi.output(
      declared.then(({ rotation }) => new Date(rotation.nextPeriodStart).toISOString()),
    );
    this.snapshots = ids.apply((pairs) => Object.fromEntries(pairs));
    this.registerOutputs({
      targets: this.targets,
      periodStart: this.periodStart,
      nextPeriodStart: this.nextPeriodStart,
      snapshots: this.snapshots,
    });
  }
}

function targetsOf(
  rotation: Rotation,
  children: { child: Child; resource: ChildResource }[],
  ids: Map<string, string>,
): BackupPlanTarget[] {
  return rotation.targets.map((t) => {
    const mine = children.filter(({ child }) => child.target === t.target);
    return {
      target: t.target,
      kept: t.kept.map((k) => ({
        period: k.period,
        snapshotId:
          k.snapshotId ?? ids.get(mine.find(({ child }) => child.stamp === k.period)!.child.name) ?? "",
      })),
      created: t.created,
      deleted: t.deleted,
      ignored: t.ignored,
    };
  });
}
