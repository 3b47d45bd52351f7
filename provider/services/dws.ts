/**
 * DWS (GaussDB(DWS)) snapshot API: typed calls and response schemas.
 * Paths and fields: shared/reference/huawei-apis.md §1 and the seed documents.
 */
import { z } from "zod";
import type { HuaweiClient } from "../client/types";
import { allPages, orUndefined, sentOrGone } from "./util";

export function dwsSnapshotSchema() {
  return z.object({
    id: z.string(),
    name: z.string(),
    description: z.string().nullish(),
    started: z.string().nullish(),
    finished: z.string().nullish(),
    size: z.number().nullish(),
    status: z.string(),
    type: z.string().nullish(),
    cluster_id: z.string().nullish(),
    cluster_name: z.string().nullish(),
    progress: z.union([z.string(), z.number()]).nullish(),
    backup_level: z.string().nullish(),
    updated: z.string().nullish(),
  });
}
export type DwsSnapshotDetail = z.infer<ReturnType<typeof dwsSnapshotSchema>>;

export interface DwsCreateSnapshotBody {
  name: string;
  cluster_id: string;
  description?: string;
}

export function dwsApi(client: HuaweiClient, region: string, resource?: string) {
  const base = { service: "dws" as const, region, resource };
  const api = {
    async createSnapshot(snapshot: DwsCreateSnapshotBody): Promise<string> {
      const res = await client.request({
        ...base,
        operation: "CreateSnapshot",
        method: "POST",
        path: "/v1.0/{project_id}/snapshots",
        body: { snapshot },
        response: () => z.object({ snapshot: z.object({ id: z.string() }) }),
      });
      return res.body.snapshot.id;
    },

    async copySnapshot(
      sourceId: string,
      body: { backup_name: string; description?: string },
    ): Promise<string> {
      const res = await client.request({
        ...base,
        operation: "CopySnapshot",
        method: "POST",
        path: `/v1.0/{project_id}/snapshots/${encodeURIComponent(sourceId)}/linked-copy`,
        body,
        response: () => z.object({ snapshot_id: z.string() }),
      });
      return res.body.snapshot_id;
    },

    /** "ListSnapshotDetails" is the SDKs' name for showing one snapshot. */
    async getSnapshot(id: string): Promise<DwsSnapshotDetail> {
      const res = await client.request({
        ...base,
        operation: "ListSnapshotDetails",
        method: "GET",
        path: `/v1.0/{project_id}/snapshots/${encodeURIComponent(id)}`,
        response: () => z.object({ snapshot: dwsSnapshotSchema() }),
      });
      return res.body.snapshot;
    },

    /** The snapshot, or undefined when there is none (HTTP 404, DWS.5149). */
    findSnapshot(id: string): Promise<DwsSnapshotDetail | undefined> {
      return orUndefined(api.getSnapshot(id));
    },

    /** Every snapshot of the project, of every cluster. The API documents no paging for this call. */
    async listSnapshots(): Promise<DwsSnapshotDetail[]> {
      const res = await client.request({
        ...base,
        operation: "ListSnapshots",
        method: "GET",
        path: "/v1.0/{project_id}/snapshots",
        response: () => z.object({ snapshots: z.array(dwsSnapshotSchema()) }),
      });
      return res.body.snapshots;
    },

    /** Every snapshot of one cluster, all pages (offset/limit, huawei-apis.md §1.3). */
    listClusterSnapshots(clusterId: string): Promise<DwsSnapshotDetail[]> {
      return allPages(
        async ({ limit, offset }) => {
          const res = await client.request({
            ...base,
            operation: "ListClusterSnapshots",
            method: "GET",
            path: `/v1.0/{project_id}/clusters/${encodeURIComponent(clusterId)}/snapshots`,
            query: { limit, offset },
            response: () =>
              z.object({ snapshots: z.array(dwsSnapshotSchema()), count: z.number().nullish() }),
          });
          return { items: res.body.snapshots, count: res.body.count ?? undefined };
        },
        { style: "offset", limit: 100, idOf: (s) => s.id },
      );
    },

    async deleteSnapshot(id: string): Promise<void> {
      await client.request({
        ...base,
        operation: "DeleteSnapshot",
        method: "DELETE",
        path: `/v1.0/{project_id}/snapshots/${encodeURIComponent(id)}`,
      });
    },

    /** Deletes a manual snapshot: "gone" when it was gone already (not-found, or DWS.0001 "has been deleted"). */
    removeSnapshot(id: string): Promise<"sent" | "gone"> {
      return sentOrGone(api.deleteSnapshot(id), ["DWS.0001"]);
    },
  };
  return api;
}
