import type { z } from "zod";
import { jsonPath } from "../../schema";
import { HttpError } from "./error";

/** Validates `data` against `schema`; the first issue -> 400 `invalid_field` with its JSON path. */
export function validate<S extends z.ZodType>(schema: S, data: unknown, code: "invalid_field" | "invalid_query" = "invalid_field"): z.infer<S> {
  const result = schema.safeParse(data);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const path = jsonPath(issue.path);
  throw new HttpError(400, code, `${path}: ${issue.message}`, { path });
}

/** Query string as a plain object, validated against `schema`. */
export function validateQuery<S extends z.ZodType>(schema: S, request: Request): z.infer<S> {
  const params = Object.fromEntries(new URL(request.url).searchParams);
  return validate(schema, params, "invalid_query");
}
