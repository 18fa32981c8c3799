// The wire contract shared by worker/ and client/: request/response schemas and error codes.
export * from "./wire/errors";
export * from "./wire/common";
export * from "./wire/ping";
export * from "./wire/admin";
export * from "./wire/stats";
export * from "./wire/capture";
export * from "./wire/browserRef";
export * from "./wire/instanceKey";
