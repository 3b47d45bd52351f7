/**
 * CBR (Cloud Backup and Recovery) replication API: typed calls and response schemas.
 * Paths and fields: Huawei Cloud CBR API reference (CopyCheckpoint, CopyBackup, ListBackups, ShowBackup,
 * ListOpLogs, DeleteBackup) and huaweicloud-sdk-go-v3 services/cbr/v1/model.
 */
import { z } from "zod";
import type { HuaweiClient } from "../client/types";
import { allPages, orUndefined, sentOrGone } from "./util";

export function backupSchema() {
  return z.object({
    id: z.string(),
    name: z.string().nullish(),
    description: z.string().nullish(),
    status: z.string(),
    vault_id: z.string().nullish(),
    image_type: z.string().nullish(),
    resource_id: z.string().nullish(),
    resource_name: z.string().nullish(),
    resource_type: z.string().nullish(),
    resource_size: z.number().nullish(),
    created_at: z.string().nullish(),
    updated_at: z.string().nullish(),
  });
}
export type Backup = z.infer<ReturnType<typeof backupSchema>>;

/** A replication task (operation log): waiting, running, success, failed, skipped or timeout. */
export function replicationLogSchema() {
  return z.object({
    id: z.string(),
    status: z.string(),
    created_at: z.string().nullish(),
    error_info: z.object({ code: z.string().nullish(), message: z.string().nullish() }).nullish(),
    extra_info: z
      .object({
        replication: z
          .object({
            source_backup_id: z.string().nullish(),
            destination_backup_id: z.string().nullish(),
            destination_region: z.string().nullish(),
            /** The replica's name: the one CopyBackup was given (SDK OpExtendInfoReplication). */
            destination_backup_name: z.string().nullish(),
          })
          .nullish(),
        common: z.object({ progress: z.number().nullish() }).nullish(),
      })
      .nullish(),
  });
}
export type ReplicationLog = z.infer<ReturnType<typeof replicationLogSchema>>;

/** Page size of the CBR lists: the documented default and maximum. */
const PAGE = 1000;

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
  const paging = { limit: PAGE, style: "offset" as const, idOf: (item: { id: string }) => item.id };
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
    async listBackups(filter: {
      vault_id?: string;
      image_type?: "backup" | "replication";
    }): Promise<Backup[]> {
      return allPages(async ({ offset, limit }) => {
        const res = await client.request({
          ...base,
          operation: "ListBackups",
          method: "GET",
          path: "/v3/{project_id}/backups",
          query: { ...filter, limit, offset },
          response: () => z.object({ backups: z.array(backupSchema()), count: z.number().nullish() }),
        });
        return { items: res.body.backups, count: res.body.count ?? undefined };
      }, paging);
    },

    /**
     * Every replication task of a vault (ListOpLogs, operation_type=replication), all pages. The
     * history of a vault's replications: it outlives the source backups, which expire.
     */
    async listReplicationLogs(vaultId: string): Promise<ReplicationLog[]> {
      return allPages(async ({ offset, limit }) => {
        const res = await client.request({
          ...base,
          operation: "ListOpLogs",
          method: "GET",
          path: "/v3/{project_id}/operation-logs",
          query: { operation_type: "replication", vault_id: vaultId, limit, offset },
          response: () =>
            z.object({ operation_logs: z.array(replicationLogSchema()), count: z.number().nullish() }),
        });
        return { items: res.body.operation_logs, count: res.body.count ?? undefined };
      }, paging);
    },

    async deleteBackup(id: string): Promise<void> {
      await client.request({
        ...base,
        operation: "DeleteBackup",
        method: "DELETE",
        path: `/v3/{project_id}/backups/${encodeURIComponent(id)}`,
      });
    },

    /** Deletes a backup: "gone" when there was none to delete. */
    removeBackup(id: string): Promise<"sent" | "gone"> {
      return sentOrGone(api.deleteBackup(id));
    },
  };
  return api;
}
