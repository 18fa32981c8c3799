import { z } from "zod";
import { alertLevel } from "./ping";
import { productName } from "./common";

/** PUT /v1/admin/releases/:product */
export const releaseRequest = z.object({
  version: z.string().min(1).max(64),
  info: z.string().max(2000).optional(),
  url: z.url().max(2000).optional(),
});
export type ReleaseRequest = z.infer<typeof releaseRequest>;

/** POST /v1/admin/alerts */
export const alertRequest = z.object({
  product: productName,
  affects: z.string().min(1).max(200),
  level: alertLevel,
  message: z.string().min(1).max(2000),
  url: z.url().max(2000).optional(),
});
export type AlertRequest = z.infer<typeof alertRequest>;

/** ?limit=&cursor= on paged admin lists. */
export const pageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(100),
  cursor: z.string().max(200).optional(),
});

/** Path parameter of the public DELETE /v1/instances/:instanceId (proof: the installation key, wire/instanceKey.ts). */
export const instanceIdParam = z.object({ instanceId: z.uuid() });
