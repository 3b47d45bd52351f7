/**
 * What a stack can leave behind in the emulator: manual DWS snapshots (snapshots and copies), EVS
 * snapshots and CBR backups (replicas). Used by the demo and the tests to check that destroy removed
 * everything the stack created.
 */
import type { WorldJson } from "../../emulator/index";

/** Labelled ids (`dws-snapshot:<id>`, `evs-snapshot:<id>`, `cbr-backup:<id>`) of everything listed. */
export function stackCreatableIds(world: WorldJson): string[] {
  return [
    ...world.dws.snapshots.filter((s) => s.type === "MANUAL").map((s) => `dws-snapshot:${s.id}`),
    ...world.evs.snapshots.map((s) => `evs-snapshot:${s.id}`),
    ...world.cbr.backups.map((b) => `cbr-backup:${b.id}`),
  ];
}

/** What exists now that did not exist in `before` (from `stackCreatableIds`). */
export function leftovers(before: string[], world: WorldJson): string[] {
  const seen = new Set(before);
  return stackCreatableIds(world).filter((id) => !seen.has(id));
}
