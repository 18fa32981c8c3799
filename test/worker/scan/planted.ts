/**
 * Private values planted in every body the privacy scan sends (privacyScan.test.ts). None may
 * reach D1 or the worker's log, whatever route carried it. Every value that is not an address
 * or an id contains the word "planted", so the scan also catches any fragment of one.
 */
export const planted = {
  email: "alice.planted@example.com",
  email2: "Bob.Planted+ops@corp.example",
  ipv4: "198.51.100.23",
  ipv4b: "192.0.2.78",
  ipv6: "2001:db8:cafe::17",
  user: "zoeplanted",
  home: "/home/zoeplanted",
  macHome: "/Users/xavplanted",
  winHome: "C:\\Users\\yvesplanted",
  host: "build-planted.internal",
  dnsHost: "pg-planted.acme.io",
  githubToken: "ghp_PlantedTok3n0123456789abcdefABCD01",
  stripeKey: "sk_live_Planted4242abcd",
  password: "hunter2planted",
  credentialUrl: "https://planteduser:plantedpass@git.example.com/repo.git",
  queryUrl: "https://hooks.example.com/notify?apikey=plantedquery",
  licenceId: "LIC-PLANTED-0042",
  licenceUuid: "0badc0de-1111-4222-8333-444455556666",
  userAgent: "PlantedAgent/7.7 (privacy-scan)",
} as const;

/** What the scan looks for, case-insensitively, in every column of every table. */
export const needles: readonly string[] = [
  "planted",
  planted.ipv4,
  planted.ipv4b,
  planted.ipv6,
  planted.licenceUuid,
  "example.com", // the e-mail domains and credential URLs: no kept value uses it
  "corp.example",
];

/** A sentence carrying many planted values at once (exception messages, fact values). */
export const plantedSentence =
  `user ${planted.email} (${planted.user}) from ${planted.ipv4}:5432 and [${planted.ipv6}]:8080 ` +
  `read ${planted.home}/app/data.db with password=${planted.password} token ${planted.githubToken} ` +
  `via ${planted.credentialUrl} and ${planted.queryUrl}; getaddrinfo ENOTFOUND ${planted.dnsHost} on ${planted.host}`;

/** A fact value (at most 256 characters: a cut value could hide half an address). */
export const plantedFact = `${planted.email} exported ${planted.home}/backup.tar to ${planted.ipv4} with token=${planted.password}`;

/** A Node stack trace from a planted home directory. */
export const plantedStack = [
  `Error: connect ECONNREFUSED ${planted.ipv4}:5432`,
  `    at handler (${planted.home}/flowfuse/forge/routes/api.js:10:5)`,
  `    at run (${planted.macHome}/dev/node_modules/router/index.js:211:13)`,
  `    at main (${planted.winHome}\\app\\main.js:3:1)`,
  `    at file://${planted.home}/esm/index.mjs:1:1`,
].join("\n");
