import { afterEach, vi } from "vitest";
import { Telemetry } from "../../../client/node/telemetry.ts";
import type { TelemetryOptions } from "../../../client/node/options.ts";
import { localServer, pingAnswer } from "./helpers.ts";

/**
 * Per-file factories for Telemetry clients and local answer servers; everything they create
 * is stopped after each test. Clients get a 1 h startup delay and instant retry sleeps.
 */
export function useClients() {
  const servers: Array<{ close: () => Promise<void> }> = [];
  const clients: Telemetry[] = [];
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.stop()));
    await Promise.all(servers.splice(0).map((s) => s.close()));
    vi.restoreAllMocks();
  });

  async function server(reply: Parameters<typeof localServer>[0] = () => ({ status: 200, body: pingAnswer() })) {
    const s = await localServer(reply);
    servers.push(s);
    return s;
  }

  function client(over: Partial<TelemetryOptions> & { endpoint: string; dir: string }, logs: string[] = []) {
    const t = new Telemetry({
      product: "demo",
      version: "1.0.0",
      argv: [],
      env: {},
      productDefault: "enabled",
      startupDelayMs: 3_600_000,
      transport: { sleep: async () => {} },
      log: (l) => void logs.push(l),
      ...over,
    });
    clients.push(t);
    return t;
  }
  return { server, client };
}
