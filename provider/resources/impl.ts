/**
 * The implementation behind the serialized provider shim. The shim stored in every stack's state
 * calls exactly `require("pulumi-huaweicloud-snapshots/impl").provider(kind)` and
 * `.configure(req)`: this module's contract with old state. Keep both names and signatures stable
 * across releases, so state written by an older version keeps working after an upgrade.
 */

import type { ConfigReader } from "../client/settings";
import { cbrReplicationSpec } from "./cbr";
import { dwsSnapshotCopySpec, dwsSnapshotSpec } from "./dws";
import { evsSnapshotSpec } from "./evs";
import { type DynamicMethods, providerFor, setConfig } from "./framework";

export type ResourceKind = "DwsSnapshot" | "DwsSnapshotCopy" | "EvsSnapshot" | "CbrReplication";

const providers: Record<ResourceKind, DynamicMethods> = {
  DwsSnapshot: providerFor(dwsSnapshotSpec),
  DwsSnapshotCopy: providerFor(dwsSnapshotCopySpec),
  EvsSnapshot: providerFor(evsSnapshotSpec),
  CbrReplication: providerFor(cbrReplicationSpec),
};

/** The provider methods of one resource kind. */
export function provider(kind: string): DynamicMethods {
  const p = providers[kind as ResourceKind];
  if (!p) {
    throw new Error(
      `pulumi-huaweicloud-snapshots: unknown resource kind "${kind}" in the serialized provider; ` +
        "the installed package is older than the state that refers to it. Upgrade the package.",
    );
  }
  return p;
}

/** Called by the provider host with the stack's config (huaweicloud:* keys are read from it). */
export function configure(req: { config?: ConfigReader }): void {
  setConfig(req.config);
}
