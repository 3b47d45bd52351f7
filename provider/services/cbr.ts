/**
 * CBR (Cloud Backup and Recovery) replication API: typed calls and response schemas.
 * Paths and fields: shared/reference/huawei-apis.md §3 and the seed document.
 */
import { z } from "zod";
import type { HuaweiClient } from "../client/types";
import { allPages, orUndefined } from "./util";

export function replicationRecordSchema() {
  return z.object({
    id: z.string(),
    status: z.string(),
    source_backup_id: z.string().nullish(),
    destination_backup_id: z.string().nullish(),
    destination_region: z.string().nullish(),
    destination_vault_id: z.string().nullish(),
    destination_project_id: z.string().nullish(),
    created_at: z.string().nullish(),
    extra_info: z
      .object({
        progress: z.number().nullish(),
        fail_code: z.string().nullish(),
        fail_reason: z.string().nullish(),
      })
      .nullish(),
  });
}
export type ReplicationRecord = z.infer<ReturnType<typeof replicationRecordSchema>>;

export function backupSchema() {
  return z.object({
    id: z.string(),
    name: z.string().nullish(),
    status: z.string(),
    vault_id: z.string().nullish(),
    image_type: z.string().nullish(),
    resource_id: z.string().nullish(),
    resource_name: z.string().nullish(),
    resource_type: z.string().nullish(),
    resource_size: z.number().nullish(),
    created_at: z.string().nullish(),
    updated_at: z.string().nullish(),
    replication_records: z.array(replicationRecordSchema()).nullish(),
  });
}
export type Backup = z.infer<ReturnType<typeof backupSchema>>;

export interface ReplicateVaultBody {
  vault_id: string;
  destination_vault_id: string;
  destination_region: string;
  destination_project_id: string;
  auto_trigger?: boolean;
  enable_acceleration?: boolean;
}

export function cbrApi(client: HuaweiClient, region: string, resource?: string) {
  const base = { service: "cbr" as const, region, resource };
  const api = {
    /** CopyCheckpoint: replicates a vault's available backups to the destination vault. */
    async replicateVault(replicate: ReplicateVaultBody) {
      const res = await client.request({
        ...base,
        operation: "CopyCheckpoint",
        method: "POST",
        path: "/v3/{project_id}/checkpoints/replicate",
        body: { replicate },
        response: () =>
          z.object({
            replication: z.object({
              backups: z.array(z.object({ backup_id: z.string(), replication_record_id: z.string() })),
            }),
          }),
      });
      return res.body.replication.backups;
    },

    /** CopyBackup: replicates one backup (allowed again once its previous replica is gone). */
    async replicateBackup(
      backupId: string,
      replicate: Omit<ReplicateVaultBody, "vault_id" | "auto_trigger"> & {
        name?: string;
        description?: string;
      },
    ) {
      const res = await client.request({
        ...base,
        operation: "CopyBackup",
        method: "POST",
        path: `/v3/{project_id}/backups/${encodeURIComponent(backupId)}/replicate`,
        body: { replicate },
        response: () =>
          z.object({ replication: z.object({ backup_id: z.string(), replication_record_id: z.string() }) }),
      });
      return res.body.replication;
    },

    async getBackup(id: string): Promise<Backup> {
      const res = await client.request({
        ...base,
        operation: "ShowBackup",
        method: "GET",
        path: `/v3/{project_id}/backups/${encodeURIComponent(id)}`,
        response: () => z.object({ backup: backupSchema() }),
      });
      return res.body.backup;
    },

    /** The backup, or undefined when there is none. */
    findBackup(id: string): Promise<Backup | undefined> {
      return orUndefined(api.getBackup(id));
    },

    /** Every backup matching the filter, following every page (the API pages at 1,000). */
    listBackups(filter: {
      vault_id?: string;
      image_type?: "backup" | "replication";
      show_replication?: boolean;
    }): Promise<Backup[]> {
      return allPages(
        async ({ limit, offset }) => {
          const res = await client.request({
            ...base,
            operation: "ListBackups",
            method: "GET",
            path: "/v3/{project_id}/backups",
            query: { ...filter, limit, offset },
            response: () => z.object({ backups: z.array(backupSchema()), count: z.number().nullish() }),
          });
          return { items: res.body.backups, count: res.body.count ?? undefined };
        },
        { style: "offset", limit: 1000, idOf: (b) => b.id },
      );
    },

    async deleteBackup(id: string): Promise<void> {
      await client.request({
        ...base,
        operation: "DeleteBackup",
        method: "DELETE",
        path: `/v3/{project_id}/backups/${encodeURIComponent(id)}`,
      });
    },
  };
  return api;
}
