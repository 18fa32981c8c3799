/**
 * The one Chromium launcher of every browser test (playwright-core drives it; Playwright's own
 * browser downloads cannot work offline). Which binary:
 * - the system one, /usr/bin/chromium (Debian's `chromium` package), when it exists;
 * - else the Chromium shipped inside the `@sparticuz/chromium` npm package (a devDependency, so
 *   `npm install` is the only step), unpacked on first use (see unpackBundled).
 * CANDOR_BROWSER=bundled ignores the system one (CI proves the fallback this way);
 * CANDOR_BROWSER=system refuses the fallback.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type BrowserContext, type LaunchOptions } from "playwright-core";

export const SYSTEM_CHROMIUM = "/usr/bin/chromium";

/**
 * Headless, offline-safe, works as root. @sparticuz/chromium's own `args` are for AWS Lambda and
 * include --disable-web-security and --single-process, which would hide CORS failures and change
 * page lifecycles: the same flags serve both binaries instead.
 */
const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
/**
 * One UI language whatever the machine's locale: under LANG=C(.UTF-8) the bundled build reports
 * navigator.language "en-US@posix", which Intl rejects (the dashboard's charts throw).
 */
const LOCALE = { LANG: "en_US.UTF-8" };

export interface ChromiumBinary {
  source: "system" | "bundled";
  executablePath: string;
  /** Extra environment for the browser process (the bundled fonts' fontconfig). */
  env: Record<string, string>;
  /**
   * Whether pages go into the back/forward cache. The bundled build is chrome-headless-shell, which
   * never caches a page (CDP Page.backForwardCacheNotUsed: BackForwardCacheDisabledForDelegate).
   */
  backForwardCache: boolean;
}

/** Resolves which Chromium this machine runs (see the file comment); unpacks the bundled one if needed. */
export async function chromiumBinary(): Promise<ChromiumBinary> {
  const wanted = process.env.CANDOR_BROWSER ?? "auto";
  if (!["auto", "system", "bundled"].includes(wanted))
    throw new Error(`CANDOR_BROWSER must be auto, system or bundled, not ${JSON.stringify(wanted)}`);
  if (wanted !== "bundled" && existsSync(SYSTEM_CHROMIUM))
    return { source: "system", executablePath: SYSTEM_CHROMIUM, env: {}, backForwardCache: true };
  if (wanted === "system") throw new Error(`CANDOR_BROWSER=system but ${SYSTEM_CHROMIUM} does not exist`);
  const home = await unpackBundled();
  return {
    source: "bundled",
    executablePath: path.join(home, "chromium"),
    env: { FONTCONFIG_FILE: path.join(home, "fonts.conf") },
    backForwardCache: false,
  };
}

/**
 * Unpacks @sparticuz/chromium's binary, fonts and SwiftShader libraries once per package version
 * into <tmpdir>/candor-chromium-<version>/ and returns that dir. The package's own
 * `executablePath()` writes /tmp/chromium in place and returns it as soon as the file exists, so
 * two test files starting at once could run a half-written binary; here each run unpacks into a
 * private staging dir (its `inflate` writes under os.tmpdir(), read synchronously at the call, so
 * TMPDIR points at the staging dir only for those calls) and renames it into place in one step.
 * Its fonts.conf names /tmp/fonts (Lambda's layout): ours names the unpacked fonts instead, and the
 * system's; without a font for a character this build aborts (Skia: "Not implemented").
 */
async function unpackBundled(): Promise<string> {
  const entry = fileURLToPath(import.meta.resolve("@sparticuz/chromium"));
  const pkgDir = path.resolve(path.dirname(entry), "..");
  const { version } = JSON.parse(readFileSync(path.join(pkgDir, "package.json"), "utf8")) as { version: string };
  const home = path.join(tmpdir(), `candor-chromium-${version}`);
  const binary = path.join(home, "chromium");
  if (existsSync(binary)) return home; // only ever appears complete (renamed into place)
  const { inflate } = await import("@sparticuz/chromium");
  const stage = mkdtempSync(path.join(tmpdir(), "candor-chromium-stage-"));
  const saved = process.env.TMPDIR;
  process.env.TMPDIR = stage;
  let pending: Array<Promise<string>>;
  try {
    pending = ["chromium.br", "fonts.tar.br", "swiftshader.tar.br"].map((f) => inflate(path.join(pkgDir, "bin", f)));
  } finally {
    if (saved === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = saved;
  }
  try {
    await Promise.all(pending);
    writeFileSync(
      path.join(stage, "fonts.conf"),
      `<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig>
  <dir>${home}/fonts/fonts</dir>
  <dir>/usr/share/fonts</dir>
  <cachedir>${home}/fonts-cache</cachedir>
</fontconfig>
`,
    );
    renameSync(stage, home);
  } catch (e) {
    rmSync(stage, { recursive: true, force: true });
    if (!existsSync(binary)) throw e; // else another run renamed its copy into place first
  }
  return home;
}

function definedEnv(): Record<string, string> {
  return Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined));
}

async function options(extra: LaunchOptions): Promise<LaunchOptions> {
  const binary = await chromiumBinary();
  return {
    ...extra,
    executablePath: binary.executablePath,
    args: [...ARGS, ...(extra.args ?? [])],
    env: { ...definedEnv(), ...LOCALE, ...binary.env, ...extra.env },
  };
}

/** A headless Chromium; `extra` adds launch options (args are appended to the offline-safe set). */
export async function launchChromium(extra: LaunchOptions = {}): Promise<Browser> {
  return chromium.launch(await options(extra));
}

/** A headless Chromium with its own profile in `userDataDir` (one persistent context). */
export async function launchPersistentChromium(
  userDataDir: string,
  extra: Parameters<typeof chromium.launchPersistentContext>[1] = {},
): Promise<BrowserContext> {
  return chromium.launchPersistentContext(userDataDir, { ...extra, ...(await options(extra)) });
}

/**
 * Where a test saves a screenshot (CI lists test-results/*.png as artifacts): `<name>.png`, or
 * `bundled-<name>.png` when the bundled Chromium took it, so the two CI runs keep both.
 */
export async function screenshotFile(name: string): Promise<string> {
  const dir = path.join(import.meta.dirname, "../../test-results");
  mkdirSync(dir, { recursive: true });
  const { source } = await chromiumBinary();
  return path.join(dir, `${source === "bundled" ? "bundled-" : ""}${name}.png`);
}
