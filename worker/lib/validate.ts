import type { z } from "zod";
import { jsonPath } from "../../schema";
import { HttpError } from "./error";

type Issue = z.core.$ZodIssue;

/** For a union failure, the branch issue that got furthest into the value (the most useful path). */
function deepest(issue: Issue): Issue {
  if (issue.code !== "invalid_union" || issue.errors.length === 0) return issue;
  const candidates = issue.errors.flat().map((sub) => {
    const d = deepest(sub);
    return { ...d, path: [...issue.path, ...d.path] } as Issue;
  });
  return candidates.reduce((best, c) => (c.path.length > best.path.length ? c : best), issue);
}

/** Validates `data` against `schema`; the first issue -> 400 `invalid_field` with its JSON path. */
export function validate<S extends z.ZodType>(
  schema: S,
  data: unknown,
  code: "invalid_field" | "invalid_query" = "invalid_field",
): z.infer<S> {
  const result = schema.safeParse(data);
  if (result.success) return result.data;
  const issue = deepest(result.error.issues[0]!);
  const path = jsonPath(issue.path);
  throw new HttpError(400, code, `${path}: ${issue.message}`, { path });
}

/** Query string as a plain object, validated against `schema`. */
export function validateQuery<S extends z.ZodType>(schema: S, request: Request): z.infer<S> {
  const params = Object.fromEntries(new URL(request.url).searchParams);
  return validate(schema, params, "invalid_query");
}

/** Path parameters (itty-router's `request.params`) validated against `schema`: 400 invalid_field at `$.<name>`. */
export function validateParams<S extends z.ZodType>(
  schema: S,
  request: { params?: Record<string, string> },
): z.infer<S> {
  return validate(schema, { ...request.params });
}
