import { parseArgs } from "node:util";
import { productName } from "@candor-telemetry/schema/wire/common";
import { ledger, preview, refusedSubmit, status, submit, toggle, EXIT, type CliResult } from "./commands.ts";
import { forget } from "./forget.ts";
import { resolvedDir, type TelemetryOptions } from "../options.ts";
import { peekState } from "../state/stateFile.ts";
import { ConsentError } from "../consent/words.ts";

export const USAGE = `Usage: candor-telemetry <command> [options]

Commands:
  status     state, reason, lock, installation id, last report
  enable     enable telemetry (refused with the reason when locked)
  disable    disable telemetry (refused with the reason when locked)
  preview    print the exact payload of the next report
  ledger     list every report and record, with when it was sent
  submit     send a report now
  forget     ask the server to erase this installation, then delete local state
  help       this help (needs no --product)

Options:
  --product <slug>   product whose telemetry to manage (or CANDOR_PRODUCT)
  --dir <path>       state dir (default $XDG_DATA_HOME/<product>)
  --endpoint <url>   Candor server (default: the one the product last used)
  --prefix <PREFIX>  env var prefix (default: product upper-cased)
  --local-only       forget: delete local state without asking the server
  --json             machine-readable output
  -h, --help         this help

Exit codes: 0 done, 1 failed (e.g. server unreachable), 2 usage error, 3 refused (locked or disabled).`;

/** A product slug as the worker accepts it (schema/wire/common.ts). */
const isSlug = (s: string) => productName.safeParse(s).success;
/** An endpoint: an absolute http(s) URL. */
function isEndpoint(s: string): boolean {
  try {
    const u = new URL(s);
    return (u.protocol === "http:" || u.protocol === "https:") && u.host !== "";
  } catch {
    return false;
  }
}
const usageError = (text: string): CliResult => ({
  code: EXIT.usage,
  text: `${text}\n\n${USAGE}`,
  json: { error: "usage", message: text },
});

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
    if (values.help || command === "help") return finish({ code: EXIT.ok, text: USAGE, json: { usage: USAGE } });
    if (!command) return finish(usageError("Which command?"));
    if (positionals.length > 1)
      return finish({
        code: EXIT.usage,
        text: `Unexpected argument ${positionals[1]}.\n\n${USAGE}`,
        json: { error: "usage" },
      });
    const product = values.product ?? defaults.product ?? env.CANDOR_PRODUCT;
    if (!product) return finish(usageError("Which product? Pass --product <slug>."));
    if (!isSlug(product))
      return finish(
        usageError(
          `--product ${JSON.stringify(product)} is not a product slug (lower-case letters, digits, '.', '_', '-').`,
        ),
      );
    if (values.endpoint !== undefined && !isEndpoint(values.endpoint))
      return finish(usageError(`--endpoint ${JSON.stringify(values.endpoint)} is not an http(s) URL.`));
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
    // A refusal comes before any other answer: DO_NOT_TRACK=1 ... submit is refused, endpoint or not.
    if (command === "submit") {
      const refused = await refusedSubmit(o, dir);
      if (refused) return finish(refused);
    }
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
    const message = err instanceof Error ? err.message : String(err);
    if (err instanceof Error && "code" in err && String(err.code).startsWith("ERR_PARSE_ARGS"))
      return finish(usageError(message.split("\n")[0]!)); // one line, then the usage
    const usage = err instanceof ConsentError;
    return finish({ code: usage ? EXIT.usage : EXIT.failed, text: `Error: ${message}`, json: { error: message } });
  }
}
