// Every D1 table, for drizzle-kit and the worker. Migrations: schema/migrations (drizzle-kit generate).
export * from "./instances";
export * from "./pings";
export * from "./activity";
export * from "./releases";
export * from "./salts";
export * from "./events";
export * from "./facts";
export * from "./unattributedFacts";
export * from "./rollups";
export * from "./sentry";
