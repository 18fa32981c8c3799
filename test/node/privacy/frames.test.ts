import { describe, expect, it } from "vitest";
import { renderFrames, scrubFrame } from "../../../schema/privacy/frames.ts";

describe("scrubFrame / renderFrames", () => {
  it("keeps the basename, function, module, line and column; never vars or source lines", () => {
    const frame = {
      filename: "/home/alice/.local/lib/python3.11/site-packages/vigilant/watch.py",
      abs_path: "/home/alice/.local/lib/python3.11/site-packages/vigilant/watch.py",
      module: "vigilant_crypto_snatch.commands.watch",
      function: "main_loop",
      lineno: 42,
      colno: 7,
      in_app: true,
      vars: { api_key: "k-SECRET", secret: "s-SECRET" },
      pre_context: ["key = 'k-SECRET'"],
      context_line: "raise RuntimeError(secret)",
      post_context: ["# alice"],
    };
    const out = scrubFrame(frame);
    expect(out).toEqual({
      file: "watch.py",
      function: "main_loop",
      module: "vigilant_crypto_snatch.commands.watch",
      line: 42,
      column: 7,
    });
    expect(JSON.stringify(out)).not.toMatch(/SECRET|alice|raise/);
  });

  it("takes abs_path when there is no filename, Windows paths too; odd types become null", () => {
    expect(scrubFrame({ abs_path: "C:\\Users\\bob\\app\\main.js", lineno: "7", function: 3 })).toEqual({
      file: "main.js",
      function: null,
      module: null,
      line: null,
      column: null,
    });
  });

  it("scrubs names the caller knows out of function and module names", () => {
    expect(
      scrubFrame(
        { function: "handler_for_alice", module: "alice-laptop.jobs" },
        { known: { users: ["alice"], hosts: ["alice-laptop"] } },
      ),
    ).toMatchObject({
      function: "handler_for_<user>",
      module: "<host>.jobs",
    });
  });

  it("renders V8-style lines, innermost first as given", () => {
    const frames = [
      { file: "server.js", function: "handle", module: null, line: 10, column: 5 },
      { file: null, function: null, module: "app.main", line: 3, column: null },
      { file: "x.js", function: "f", module: null, line: null, column: 9 },
    ];
    expect(renderFrames(frames)).toBe(
      ["    at handle (server.js:10:5)", "    at <anonymous> (app.main:3)", "    at f (x.js)"].join("\n"),
    );
  });
});
