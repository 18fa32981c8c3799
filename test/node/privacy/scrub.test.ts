import { describe, expect, it } from "vitest";
import { personalKind, scrub, scrubText } from "../../../schema/privacy/scrub.ts";

/** [input, expected output, kinds found] */
type Case = [string, string, string[]];
const check = (cases: Case[], options?: Parameters<typeof scrub>[1]) => {
  for (const [input, text, found] of cases) expect(scrub(input, options), input).toEqual({ text, found });
};

describe("scrub: every kind of private value", () => {
  it("e-mail addresses", () => {
    check([
      ["contact alice@example.com now", "contact <email> now", ["email"]],
      ["Alice.Smith+tag@mail.example.co.uk.", "<email>.", ["email"]],
      ["git@github.com:org/repo.git", "<email>:org/repo.git", ["email"]],
      ["user=<bob_1@corp.example>", "user=<<email>>", ["email"]],
    ]);
  });

  it("IPv4 addresses, with their port kept", () => {
    check([
      ["connect ECONNREFUSED 10.0.0.12:5432", "connect ECONNREFUSED <ip>:5432", ["ip"]],
      ["from 203.0.113.77.", "from <ip>.", ["ip"]],
      ["(192.168.1.1)", "(<ip>)", ["ip"]],
      ["10.0.0.256 is no address", "10.0.0.256 is no address", []],
      ["v1.2.3.4 and 1.2.3 are versions", "v1.2.3.4 and 1.2.3 are versions", []],
    ]);
  });

  it("IPv6 addresses: full, compressed, bracketed with a port, with a zone, IPv4-mapped", () => {
    check([
      ["2001:db8:85a3::8a2e:370:7334 down", "<ip> down", ["ip"]],
      ["2001:0db8:0000:0000:0000:ff00:0042:8329", "<ip>", ["ip"]],
      ["listen [2001:db8::1]:8080", "listen <ip>:8080", ["ip"]],
      ["::1 and fe80::1%eth0", "<ip> and <ip>", ["ip"]],
      ["::ffff:192.0.2.128", "<ip>", ["ip"]],
      ["bind 2001:db8::: failed", "bind <ip>: failed", ["ip"]],
    ]);
  });

  it("URLs with credentials or a query string go whole; others keep scheme, host and path", () => {
    check([
      ["postgres://alice:s3cret@db.example.com:5432/app", "<url>", ["url"]],
      ["mongodb+srv://u:p@cluster0.x.mongodb.net/db?retryWrites=true.", "<url>.", ["url"]],
      ["GET https://api.example.com/v1/items?token=abc failed", "GET <url> failed", ["url"]],
      ["https://example.com/cb#access_token=xyz", "<url>", ["url"]],
      ["see https://flowfuse.com/docs/install#docker.", "see https://flowfuse.com/docs/install#docker.", []],
      ["http://10.0.0.5:1880/flows", "http://<ip>:1880/flows", ["ip"]],
      ["https://example.com/users/alice@example.com/profile", "https://example.com/users/<email>/profile", ["email"]],
      ["http://nodered.acme.internal/admin", "http://<host>/admin", ["host"]],
    ]);
  });

  it("absolute paths keep their basename; home directories and their owner go", () => {
    check([
      ["at run (/opt/app/node_modules/router/index.js:211:13)", "at run (<path>/index.js:211:13)", ["path"]],
      [
        "Error at /home/alice/app/lib/server.js:10:5 (user alice)",
        "Error at <path>/server.js:10:5 (user <user>)",
        ["home", "user"],
      ],
      ["cwd /Users/bob", "cwd <home>", ["home"]],
      ["C:\\Users\\Carol\\AppData\\Local\\app\\main.js", "<path>/main.js", ["home"]],
      ['{"file":"C:\\\\Users\\\\dave\\\\x.js"}', '{"file":"<path>/x.js"}', ["home"]],
      ["C:\\Program Files\\Acme App\\bin\\acme.exe", "<path>/acme.exe", ["path"]],
      ["\\\\fileserver\\share\\dir\\report.txt", "<path>/report.txt", ["path"]],
      ["~/projects/x.js and ~erin/y.js", "<path>/x.js and <path>/y.js", ["home"]],
      ["file:///home/frank/app/index.mjs:3:1", "file://<path>/index.mjs:3:1", ["home"]],
      ["open /var/log/app.log.", "open <path>/app.log.", ["path"]],
      ["/home/alice/alice-notes.txt", "<path>/<user>-notes.txt", ["home", "user"]],
      ["/export/home/gina/x.sh and /var/home/hank/y.sh", "<path>/x.sh and <path>/y.sh", ["home"]],
    ]);
  });

  it("keys, tokens and passwords", () => {
    check([
      ["password=hunter2&user=x", "password=<secret>&user=x", ["secret"]],
      ['{"apiKey": "AbC", "token":"x"}', '{"apiKey": "<secret>", "token":"<secret>"}', ["secret"]],
      ["token: abc123xyz", "token: <secret>", ["secret"]],
      ["DB_PASSWORD=correct-horse", "DB_PASSWORD=<secret>", ["secret"]],
      ["Authorization: Bearer abcdefghijkl.mnop", "Authorization: Bearer <secret>", ["secret"]],
      ["header Basic dXNlcjpwYXNz", "header Basic <secret>", ["secret"]],
      ["jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.sig_x", "jwt <secret>", ["secret"]],
      ["keys sk_live_abcdef123456 ghp_abcdefghijklmnopqrstuvwxyz0123", "keys <secret> <secret>", ["secret"]],
      ["AKIAIOSFODNN7EXAMPLE", "<secret>", ["secret"]],
      ["dsn 2de30dc7a1b24c6f8e9d0a1b2c3d4e5f", "dsn <secret>", ["secret"]],
      ["session wJalrXUtnFEMI2K7MDENGbPxRfiCY9EXAMPLEKEY", "session <secret>", ["secret"]],
      ["key k3j2h4g5f6d7s8a9q0w1e2r3 here", "key <secret> here", ["secret"]],
      ["-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY----- end", "<secret> end", ["secret"]],
    ]);
  });

  it("UUIDs, MAC addresses, host names", () => {
    check([
      ["project 5db51f99-c6fb-4340-9c19-78adce58cc1b missing", "project <id> missing", ["id"]],
      ["nic 00:1a:2b:3c:4d:5e / 00-1A-2B-3C-4D-5E", "nic <mac> / <mac>", ["mac"]],
      ["getaddrinfo ENOTFOUND db-prod.acme.io", "getaddrinfo ENOTFOUND <host>", ["host"]],
      ["getaddrinfo EAI_AGAIN 10.1.2.3", "getaddrinfo EAI_AGAIN <ip>", ["ip"]],
      ["connect ENOTFOUND localhost", "connect ENOTFOUND localhost", []],
      ["from alice-laptop.local and k8s svc.cluster.local", "from <host> and k8s <host>", ["host"]],
    ]);
  });
});

describe("scrub: no over-scrubbing", () => {
  const ordinary = [
    "Cannot read properties of undefined (reading 'map')",
    "TypeError: x is not a function",
    'ERR_INVALID_ARG_TYPE: The "path" argument must be of type string',
    "Node.js v20.11.1 on linux-x64",
    "PostgreSQL 17.6 (Debian 17.6-2.pgdg12+1) on x86_64-pc-linux-gnu, compiled by gcc (Debian 12.2.0-14+deb12u1) 12.2.0, 64-bit",
    "0.107.0 gitref: HEAD sha:e63835403d buildId:0",
    "go1.25.4 linux/amd64",
    "content-type text/plain; charset=utf-8 or application/json",
    "at 12:30:45 on 2024-01-02T03:04:05.678Z",
    "node:internal/process/task_queues:95:5",
    "at Object.<anonymous> (node_modules/express/lib/router/index.js:284:7)",
    "Std::vector and Abc::Def and dead::beef",
    "password must be at least 8 characters; token: expired",
    "tokenizer=bert and author: Jane and passed=3",
    "base64ToUint8ArrayConverter sha256WithRSAEncryption getInstance2ByTeamIdAndName",
    "projectsByState.suspended devicesByLastSeen.never",
    "a".repeat(120),
    "1".repeat(40),
    "mount rootfs; the root cause",
    "Europe/Amsterdam and and/or and 1/2",
    "{--token= : The Firefly III access token.} {--export_directory=./ : Where}",
    "at /home/<home>/app/x.js:1:2 (already scrubbed by the client)",
    "see https://flowfuse.com/docs",
  ];
  it.each(ordinary)("%s", (text) => {
    expect(scrub(text)).toEqual({ text, found: [] });
  });

  it("a version field keeps a dotted quad, not an address with a port", () => {
    check([["1.2.3.4", "1.2.3.4", []]], { version: true });
    check([["10.0.0.1:80", "<ip>:80", ["ip"]]], { version: true });
    check([["1.2.3.4", "<ip>", ["ip"]]]);
  });

  it("is idempotent: scrubbed text scrubs to itself", () => {
    const text =
      "alice@example.com 10.0.0.1:5432 /home/alice/x.js postgres://a:b@h/db token=abc123 5db51f99-c6fb-4340-9c19-78adce58cc1b";
    const once = scrubText(text);
    expect(scrubText(once)).toBe(once);
  });
});

describe("scrub: known and learned names", () => {
  const known = { users: ["alice"], hosts: ["alice-laptop.example.com"], homes: ["/srv/home-of-alice"] };
  it("replaces a known user and host wherever no letter touches them", () => {
    check(
      [
        ["alice-laptop crashed", "<host> crashed", ["host"]],
        ["alice2, alice-cache, build_alice_1", "<user>2, <user>-cache, build_<user>_1", ["user"]],
        ["ALICE logged in", "<user> logged in", ["user"]],
        ["malice and alicebox stay", "malice and alicebox stay", []],
        ["alice-laptop.example.com:8080", "<host>:8080", ["host"]],
        ["/srv/home-of-alice/data/x.db", "<path>/x.db", ["home"]],
      ],
      { known },
    );
  });

  it("never replaces names that identify nobody (root, node, none) nor turns /opt/rootfs into <user>fs", () => {
    check(
      [
        ["mount /opt/rootfs as root", "mount <path>/rootfs as root", ["path"]],
        ["server none, node 20", "server none, node 20", []],
        ["rootfs", "rootfs", []],
        ["/root/.ssh/id_rsa", "<path>/id_rsa", ["path"]],
      ],
      { known: { users: ["root", "node"], hosts: ["none"] } },
    );
  });

  it("a short name is replaced only as a word of its own", () => {
    check(
      [
        ["al said: al2 also", "<user> said: al2 also", ["user"]],
        ["bo-x", "<user>-x", ["user"]],
      ],
      { known: { users: ["al", "bo"] } },
    );
  });

  it("a user name learned from a home directory goes everywhere in the same text", () => {
    check([
      [
        "failed for /home/grace/app.js; grace retried; graceful",
        "failed for <path>/app.js; <user> retried; graceful",
        ["home", "user"],
      ],
    ]);
  });
});

describe("personalKind: identifiers that are random by design", () => {
  it("ignores UUIDs and tokens, not e-mails, addresses or paths", () => {
    expect(personalKind(scrub("01908f3c-5b2a-7cde-8f00-1234567890ab").found)).toBeUndefined();
    expect(personalKind(scrub("AbC123dEf456GhI789jKl012").found)).toBeUndefined();
    expect(personalKind(scrub("alice@example.com").found)).toBe("email");
    expect(personalKind(scrub("10.0.0.1").found)).toBe("ip");
    expect(personalKind(scrub("https://x.example/?a=1").found)).toBe("url");
  });
});
