/** Admin API access from the dashboard: the token lives in sessionStorage (this tab only). */
const KEY = "candor.adminToken";

export class Unauthorized extends Error {}
/** A non-401 error answer; `status` lets the page tell a retryable 503 from the rest. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}
/** The current view's signal: render() aborts the previous view's requests when a new one starts. */
export const view: { signal?: AbortSignal } = {};

export const token = {
  get: (): string | null => sessionStorage.getItem(KEY),
  set: (t: string): void => sessionStorage.setItem(KEY, t),
  clear: (): void => sessionStorage.removeItem(KEY),
};

/** A same-origin admin call with the bearer token. 401 -> Unauthorized; other errors -> ApiError (API message, status). */
export async function api(path: string, init: RequestInit = {}): Promise<Response> {
  const t = token.get();
  if (!t) throw new Unauthorized("no token");
  const res = await fetch(path, {
    signal: view.signal,
    ...init,
    headers: { ...(init.headers as Record<string, string>), authorization: `Bearer ${t}` },
  });
  if (res.status === 401) throw new Unauthorized("wrong token");
  if (!res.ok) {
    let message = `HTTP ${res.status}`;
    try {
      const body = (await res.json()) as { error?: { message?: string } };
      if (body.error?.message) message = body.error.message;
    } catch {
      // not JSON: keep the status line
    }
    throw new ApiError(message, res.status);
  }
  return res;
}

export async function getJson<T>(path: string): Promise<T> {
  return (await (await api(path)).json()) as T;
}

export async function sendJson(method: "POST" | "PUT", path: string, body: unknown): Promise<Response> {
  return api(path, { method, headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
}

/** Downloads an authenticated CSV export (an anchor cannot send the bearer header). */
export async function download(path: string, filename: string): Promise<void> {
  const blob = await (await api(path)).blob();
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
