/**
 * Sentry authentication: the DSN's public key (`sentry_key`) and project id, mapped to a product
 * by SENTRY_PROJECTS. The key is public (it ships inside every client), so it only routes and
 * filters; it is no secret and is compared as it is.
 */
import type { SentryProjects } from "../../../schema";
import { HttpError } from "../../lib/error";

/**
 * The `sentry_key` of a request: from `X-Sentry-Auth: Sentry sentry_key=<key>, sentry_version=7,
 * sentry_client=...` (sentry-python; `Authorization: Sentry ...` is the same header under
 * another name), else from the query string `?sentry_key=<key>` (@sentry/node). Null when absent.
 */
export function sentryKeyOf(authHeader: string | null, query: URLSearchParams): string | null {
  const header = (authHeader ?? "").trim();
  if (/^sentry\s/i.test(header)) {
    for (const part of header.slice(6).split(",")) {
      const eq = part.indexOf("=");
      if (eq > 0 && part.slice(0, eq).trim().toLowerCase() === "sentry_key") return part.slice(eq + 1).trim() || null;
    }
  }
  return query.get("sentry_key") || null;
}

/** The product of a project id and key; an unknown project or a key not listed for it -> 401. */
export function productOf(projects: SentryProjects, projectId: string | undefined, key: string | null): string {
  const project =
    projectId === undefined ? undefined : Object.hasOwn(projects, projectId) ? projects[projectId] : undefined;
  if (!project || key === null || !project.keys.includes(key)) {
    throw new HttpError(401, "unauthorized", "Unknown Sentry project or sentry_key.");
  }
  return project.product;
}
