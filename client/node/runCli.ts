import { parseArgs } from "node:util";
import { ledger, preview, status, submit, toggle, EXIT, type CliResult } from "./cliCommands.ts";
import { forget } from "./cliForget.ts";
import { resolvedDir, type TelemetryOptions } from "./options.ts";
import { peekState } from "./stateFile.ts";
import { ConsentError } from "./words.ts";

export const USAGE = `Usage: candor-telemetry <command> [options]

Commands:
  status     state, reason, lock, installation id, last report
  enable     enable telemetry (refused with the reason when locked)
  disable    disable telemetry (refused with the reason when locked)
  preview    print the exact payload of the next report
  ledger     list every report and record, with when it was sent
  submit     send a report now
  forget     ask the server to erase this installation, then delete local state

Options:
  --product <slug>   product whose telemetry to manage (or CANDOR_PRODUCT)
  --dir <path>       state dir (default $XDG_DATA_HOME/<product>)
  --endpoint <url>   Candor server (default: the one the product last used)
  --prefix <PREFIX>  env var prefix (default: product upper-cased)
  --local-only       forget: delete local state without asking the server
  --json             machine-readable output
  -h, --help         this help

Exit codes: 0 done, 1 failed (e.g. server unreachable), 2 usage error, 3 refused (locked or disabled).`;

export interface CliIo {
  out: (text: string) => void;
  err: (text: string) => void;
  env?: NodeJS.ProcessEnv;
}

const stdio: CliIo = { out: (t) => process.stdout.write(`${t}\n`), err: (t) => process.stderr.write(`${t}\n`) };

/**
 * The command line. A host product may ship its own bin calling runCli with its defaults
 * (`{ product: "ferretdb", endpoint: "https://..." }`). Resolves to the exit code; never throws.
 */
export async function runCli(
  argv: string[],
  defaults: Partial<TelemetryOptions> = {},
  io: CliIo = stdio,
): Promise<number> {
  const env = io.env ?? process.env;
  let json = argv.includes("--json");
  const finish = (r: CliResult) => {
    if (json) io.out(JSON.stringify(r.json, null, 2));
    else (r.code === EXIT.ok ? io.out : io.err)(r.text);
    return r.code;
  };
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        product: { type: "string" },
        dir: { type: "string" },
        endpoint: { type: "string" },
        prefix: { type: "string" },
        "local-only": { type: "boolean" },
        json: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    });
    json = values.json ?? false;
    const command = positionals[0];
    if (values.help || !command)
      return finish({ code: values.help ? EXIT.ok : EXIT.usage, text: USAGE, json: { usage: USAGE } });
    if (positionals.length > 1)
      return finish({
        code: EXIT.usage,
        text: `Unexpected argument ${positionals[1]}.\n\n${USAGE}`,
        json: { error: "usage" },
      });
    const product = values.product ?? defaults.product ?? env.CANDOR_PRODUCT;
    if (!product)
      return finish({
        code: EXIT.usage,
        text: `Which product? Pass --product <slug>.\n\n${USAGE}`,
        json: { error: "usage" },
      });
    const o: TelemetryOptions = {
      ...defaults,
      product,
      env,
      endpoint: values.endpoint ?? defaults.endpoint ?? "",
      dir: values.dir ?? defaults.dir,
      prefix: values.prefix ?? defaults.prefix,
      log: (line) => io.err(`[${product} telemetry] ${line}`),
    };
    const dir = resolvedDir(o);
    if (!o.endpoint) o.endpoint = (await peekState(dir))?.endpoint ?? "";
    const needsEndpoint = command === "submit" || (command === "forget" && !values["local-only"]);
    if (needsEndpoint && !o.endpoint)
      return finish({ code: EXIT.usage, text: "No endpoint known: pass --endpoint <url>.", json: { error: "usage" } });
    switch (command) {
      case "status":
        return finish(await status(o, dir));
      case "enable":
        return finish(await toggle(o, dir, "enabled"));
      case "disable":
        return finish(await toggle(o, dir, "disabled"));
      case "preview":
        return finish(await preview(o, dir));
      case "ledger":
        return finish(await ledger(dir));
      case "submit":
        return finish(await submit(o, dir));
      case "forget":
        return finish(await forget(o, dir, values["local-only"] ?? false));
      default:
        return finish({
          code: EXIT.usage,
          text: `Unknown command ${JSON.stringify(command)}.\n\n${USAGE}`,
          json: { error: "usage" },
        });
    }
  } catch (err) {
    const usage =
      err instanceof ConsentError ||
      (err instanceof Error && "code" in err && String(err.code).startsWith("ERR_PARSE_ARGS"));
    const message = err instanceof Error ? err.message : String(err);
    return finish({ code: usage ? EXIT.usage : EXIT.failed, text: `Error: ${message}`, json: { error: message } });
  }
}
