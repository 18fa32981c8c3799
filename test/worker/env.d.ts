// Test-only bindings added by vitest.config.ts on top of the generated Env.
declare namespace Cloudflare {
  interface Env {
    TEST_MIGRATIONS: import("cloudflare:test").D1Migration[];
    /** test/fixtures/sentry/* as base64, by file name (vitest.config.ts). */
    TEST_SENTRY_FIXTURES: Record<string, string>;
  }
}
declare namespace Cloudflare {
  interface GlobalProps {
    mainModule: typeof import("../../worker/index");
  }
}

// Files imported as text (vite's ?raw), e.g. README.md and wrangler.toml in config.test.ts.
declare module "*?raw" {
  const text: string;
  export default text;
}
