/**
 * GET / : a small page saying what this worker is, for whoever opens its address in a browser
 * (not a JSON 404). Static text: no storage, no request data echoed. The same path's POST is
 * FerretDB's beacon (router.ts); only GET answers this page.
 */
const page = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>Candor telemetry</title>
</head>
<body>
<h1>Candor telemetry</h1>
<p>This is a Candor worker: it receives privacy-first usage reports from
self-hosted software (consent-gated, no IP address, no raw User-Agent, no licence id stored).</p>
<p>Maintainers: <a href="/admin/">open the dashboard</a>.</p>
</body>
</html>
`;

export function home(): Response {
  return new Response(page, {
    headers: {
      "content-type": "text/html; charset=utf-8",
      "cache-control": "public, max-age=3600",
      "content-security-policy": "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
      "x-content-type-options": "nosniff",
      "referrer-policy": "no-referrer",
    },
  });
}
