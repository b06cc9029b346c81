import assert from "node:assert/strict";
import { FlagError, flagsOrReport, parseDuration, parseFlags } from "./flags.ts";

Deno.test("flags: values, booleans, negation and positionals", () => {
  const f = parseFlags(["--a", "1", "--b=2", "--on", "--no-off", "pos", "--", "--x"], {
    string: ["a", "b"],
    boolean: ["on", "off"],
  });
  assert.equal(f.values.get("a"), "1");
  assert.equal(f.values.get("b"), "2");
  assert.equal(f.booleans.get("on"), true);
  assert.equal(f.booleans.get("off"), false);
  assert.deepEqual(f.positional, ["pos", "--x"]);
  assert.throws(() => parseFlags(["--typo"], {}), FlagError);
  assert.throws(() => parseFlags(["--a"], { string: ["a"] }), /needs a value/);
});

Deno.test("durations", () => {
  assert.equal(parseDuration("d", "30s"), 30_000);
  assert.equal(parseDuration("d", "5m"), 300_000);
  assert.equal(parseDuration("d", "250ms"), 250);
  assert.equal(parseDuration("d", "1500"), 1500);
  assert.throws(() => parseDuration("d", "soon"), /not a duration/);
});

Deno.test("flagsOrReport: the parsed value, or one report of the FlagError; other errors thrown", () => {
  const lines: string[] = [];
  const io = { err: (line: string) => lines.push(line) };
  assert.equal(flagsOrReport("render", io, () => 7), 7);
  assert.deepEqual(lines, []);
  const bad = flagsOrReport("render", io, () => parseFlags(["--typo"], {}));
  assert.equal(bad, undefined);
  assert.deepEqual(lines, [
    "frappe-op render: unknown flag --typo\nrun `frappe-op render --help` for the flags",
  ]);
  assert.throws(() => flagsOrReport("render", io, () => JSON.parse("{")), SyntaxError);
  assert.equal(lines.length, 1);
});
