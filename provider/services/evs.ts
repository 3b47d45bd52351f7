/**
 * EVS v2 "cloudsnapshots" API: typed calls and response schemas.
 * Paths and fields: shared/reference/huawei-apis.md §2 and the seed document.
 */
import { z } from "zod";
import type { HuaweiClient } from "../client/types";
import { allPages, orUndefined, sentOrGone } from "./util";

export function evsSnapshotSchema() {
  return z.object({
    id: z.string(),
    status: z.string(),
    name: z.string().nullish(),
    description: z.string().nullish(),
    created_at: z.string().nullish(),
    updated_at: z.string().nullish(),
    metadata: z.record(z.string(), z.string()).nullish(),
    volume_id: z.string(),
    size: z.number().nullish(),
    "os-extended-snapshot-attributes:project_id": z.string().nullish(),
    "os-extended-snapshot-attributes:progress": z.string().nullish(),
  });
}
export type EvsSnapshotDetail = z.infer<ReturnType<typeof evsSnapshotSchema>>;

export interface EvsCreateSnapshotBody {
  volume_id: string;
  force?: boolean;
  metadata?: Record<string, string>;
  name?: string;
  description?: string;
}

/** The list filters of the API that a resource or a look-up uses. */
export interface EvsSnapshotFilter {
  volume_id?: string;
  name?: string;
  status?: string;
  availability_zone?: string;
}

export function evsApi(client: HuaweiClient, region: string, resource?: string) {
  const base = { service: "evs" as const, region, resource };
  const one = () => z.object({ snapshot: evsSnapshotSchema() });
  const api = {
    async createSnapshot(snapshot: EvsCreateSnapshotBody): Promise<EvsSnapshotDetail> {
      const res = await client.request({
        ...base,
        operation: "CreateSnapshot",
        method: "POST",
        path: "/v2/{project_id}/cloudsnapshots",
        body: { snapshot },
        response: one,
      });
      return res.body.snapshot;
    },

    async getSnapshot(id: string): Promise<EvsSnapshotDetail> {
      const res = await client.request({
        ...base,
        operation: "ShowSnapshot",
        method: "GET",
        path: `/v2/{project_id}/cloudsnapshots/${encodeURIComponent(id)}`,
        response: one,
      });
      return res.body.snapshot;
    },

    /** The snapshot, or undefined when there is none (HTTP 404, EVS.5404). */
    findSnapshot(id: string): Promise<EvsSnapshotDetail | undefined> {
      return orUndefined(api.getSnapshot(id));
    },

    /** Every snapshot matching the filter, all pages (offset/limit up to 1000, huawei-apis.md §2.5). */
    listSnapshots(filter: EvsSnapshotFilter): Promise<EvsSnapshotDetail[]> {
      return allPages(
        async ({ limit, offset }) => {
          const res = await client.request({
            ...base,
            operation: "ListSnapshots",
            method: "GET",
            path: "/v2/{project_id}/cloudsnapshots/detail",
            query: { ...filter, limit, offset },
            response: () =>
              z.object({
                snapshots: z.array(evsSnapshotSchema()),
                count: z.number().nullish(),
                snapshots_links: z.array(z.object({ rel: z.string().nullish() })).nullish(),
              }),
          });
          const { snapshots, count, snapshots_links } = res.body;
          return {
            items: snapshots,
            count: count ?? undefined,
            more: (snapshots_links ?? []).some((l) => l.rel === "next"),
          };
        },
        { style: "offset", limit: 1000, idOf: (s) => s.id },
      );
    },

    async updateSnapshot(
      id: string,
      snapshot: { name?: string; description?: string },
    ): Promise<EvsSnapshotDetail> {
      const res = await client.request({
        ...base,
        operation: "UpdateSnapshot",
        method: "PUT",
        path: `/v2/{project_id}/cloudsnapshots/${encodeURIComponent(id)}`,
        body: { snapshot },
        response: one,
      });
      return res.body.snapshot;
    },

    async deleteSnapshot(id: string): Promise<void> {
      await client.request({
        ...base,
        operation: "DeleteSnapshot",
        method: "DELETE",
        path: `/v2/{project_id}/cloudsnapshots/${encodeURIComponent(id)}`,
      });
    },

    /** Deletes a snapshot: "gone" when it was gone already (404, EVS.5404). */
    removeSnapshot(id: string): Promise<"sent" | "gone"> {
      return sentOrGone(api.deleteSnapshot(id));
    },
  };
  return api;
}
