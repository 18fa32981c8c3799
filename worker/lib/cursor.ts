import { z } from "zod";
import { HttpError } from "./error";

/** Keyset cursor of paged lists: the last row's sort time and id, as base64url JSON. */
export interface Cursor {
  t: number;
  id: string;
}
const cursorShape = z.object({ t: z.number().int(), id: z.string().max(100) });

export function encodeCursor(c: Cursor): string {
  return btoa(JSON.stringify(c)).replaceAll("+", "-").replaceAll("/", "_").replaceAll("=", "");
}

export function decodeCursor(s: string | undefined): Cursor | undefined {
  if (s === undefined) return undefined;
  try {
    return cursorShape.parse(JSON.parse(atob(s.replaceAll("-", "+").replaceAll("_", "/"))));
  } catch {
    throw new HttpError(400, "invalid_query", "$.cursor: not a cursor this API issued", { path: "$.cursor" });
  }
}

/** `next` cursor for a page: present only when the page is full. */
export function nextCursor<T>(rows: T[], limit: number, key: (row: T) => Cursor): string | null {
  const last = rows[rows.length - 1];
  return rows.length === limit && last ? encodeCursor(key(last)) : null;
}
