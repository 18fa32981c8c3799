import { integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/**
 * Daily random salts for keyed IP hashes (abuse damping only). A salt is created for each UTC day
 * and deleted 48 h after that day began; no hash made with it is ever stored.
 */
export const salts = sqliteTable("salts", {
  day: text("day").primaryKey(), // UTC YYYY-MM-DD
  salt: text("salt").notNull(), // 32 random bytes, hex
  createdAt: integer("created_at").notNull(),
});
