/**
 * Our pickle bytes must be read back by Python's own pickle.loads into the
 * value we meant: Python prints repr(loads(data)) and we compare it with our
 * Python repr of the same value (which is tested by the same comparison).
 * Needs python3 on PATH (--allow-run).
 */
import assert from "node:assert/strict";
import { pickleDumps, type PyValue } from "./pickle.ts";
import { callString, pyRepr } from "./pyrepr.ts";

async function pythonRepr(values: Uint8Array[]): Promise<string[]> {
  const script = "import sys, pickle, json, base64\n" +
    "for line in sys.stdin:\n" +
    "    print(json.dumps(repr(pickle.loads(base64.b64decode(line)))))\n";
  const child = new Deno.Command("python3", {
    args: ["-c", script],
    stdin: "piped",
    stdout: "piped",
  })
    .spawn();
  const w = child.stdin.getWriter();
  const b64 = (b: Uint8Array) => btoa(String.fromCharCode(...b));
  await w.write(new TextEncoder().encode(values.map(b64).join("\n") + "\n"));
  await w.close();
  const out = await child.output();
  assert.ok(out.success, "python3 pickle.loads failed");
  return new TextDecoder().decode(out.stdout).trim().split("\n").map((l) => JSON.parse(l));
}

const CASES: PyValue[] = [
  [
    "frappe.utils.background_jobs.execute_job",
    null,
    [],
    {
      site: "site1.local",
      user: "Administrator",
      method: "frappe.utils.background_jobs.test_job",
      event: null,
      job_name: "frappe.utils.background_jobs.test_job",
      is_async: true,
      kwargs: { s: 1 },
    },
  ],
  { a: 0, b: 255, c: 256, d: 65535, e: 65536, f: -1, g: 2 ** 31 - 1, h: -(2 ** 31) },
  { big: 2 ** 31, neg: -(2 ** 31) - 1, huge: 2n ** 70n, minus: -(2n ** 70n), t: true, f: false },
  { float: 0.25, third: 1 / 3, tiny: 1e-7, large: 1.5e300 },
  { quote: "it's", both: `say "it's"`, ctrl: "a\tb\nc\x01\x7f", uni: "héllo ✓ 日本 🎉" },
  { long: "x".repeat(300), nested: { inner: { deep: null } }, empty: {} },
  ["one"],
  ["a", "b"],
  ["a", "b", "c"],
  ["a", "b", "c", "d", "e"],
  Object.fromEntries(Array.from({ length: 1500 }, (_, i) => [`k${i}`, i])),
  new Map<string, PyValue>([["2", "numeric-looking key keeps its place"], ["1", 1]]),
];

Deno.test("pickle: Python's pickle.loads reads back exactly the values we encode", async () => {
  const got = await pythonRepr(CASES.map(pickleDumps));
  CASES.forEach((value, i) => assert.equal(got[i], pyRepr(value), `case ${i}`));
});

Deno.test("pickle: header is PROTO 5 with one FRAME holding the rest", () => {
  const bytes = pickleDumps(["x", null]);
  assert.deepEqual([...bytes.slice(0, 2)], [0x80, 5]);
  assert.equal(bytes[2], 0x95);
  const frameLen = new DataView(bytes.buffer).getBigUint64(3, true);
  assert.equal(Number(frameLen), bytes.length - 11);
  assert.equal(bytes.at(-1), 0x2e);
});

Deno.test("callString sorts k=v like RQ and cuts long reprs to 75 characters", () => {
  const s = callString("f", { z: 1, a: "y".repeat(100) });
  assert.equal(s, `f(a='${"y".repeat(74)}..., z=1)`);
});
