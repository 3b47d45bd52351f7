/** CBR test helpers: what the emulator's world holds, and vaults seeded for a scenario. */
import { REGIONS } from "../../emulator";
import type { Env } from "./helpers";

export interface WorldBackup {
  id: string;
  vault_id: string;
  image_type: string;
  status: string;
  name?: string;
  description?: string;
}

/** The backups in a vault, as the emulator's world shows them (gone ones left out). */
export function backupsIn(env: Env, vaultId: string): WorldBackup[] {
  return env.emu.world().cbr.backups.filter((b: WorldBackup) => b.vault_id === vaultId);
}

/** A fresh source vault with `count` available backups and a fresh replication vault. */
export function seedVaults(env: Env, count: number) {
  const vaults = env.emu.backend.seed({
    cbrVaults: [
      { region: REGIONS.primary.name },
      { region: REGIONS.secondary.name, protectType: "replication" },
    ],
  }).cbrVaults;
  const [sourceVaultId, destinationVaultId] = vaults as [string, string];
  const backups = env.emu.backend.seed({
    cbrBackups: Array.from({ length: count }, () => ({ vaultId: sourceVaultId })),
  }).cbrBackups;
  return { sourceVaultId, destinationVaultId, backups };
}

/** CbrReplication inputs from the seeded vaults towards the second region. */
export function inputsOf(
  v: { sourceVaultId: string; destinationVaultId: string },
  extra: Record<string, unknown> = {},
) {
  return {
    sourceVaultId: v.sourceVaultId,
    destinationVaultId: v.destinationVaultId,
    destinationRegion: REGIONS.secondary.name,
    ...extra,
  };
}
