// The wire contract shared by worker/ and client/: request/response schemas and error codes.
export * from "./wire/errors";
export * from "./wire/common";
export * from "./wire/ping";
export * from "./wire/admin";
export * from "./wire/stats";
export * from "./wire/capture";
export * from "./wire/browserRef";
export * from "./wire/instanceKey";
export * from "./wire/ferretdb";
export * from "./wire/commandStats";
export * from "./wire/firefly";
export * from "./wire/fireflyFacts";
export * from "./wire/mongoCommands";
export * from "./wire/mongoArguments";
export * from "./wire/mongoResults";
export * from "./wire/sentry";
