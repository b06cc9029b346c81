import assert from "node:assert/strict";
import { LoadtestError } from "../loadtest/errors.ts";
import { parseLoadtestArgs } from "./loadtest_args.ts";

const TARGET = ["--redis", "redis://h", "--bench-id", "b", "--site", "s"];

Deno.test("loadtest args: --expect-max-replicas N and TYPE=N, repeatable", () => {
  const { expect } = parseLoadtestArgs([
    ...TARGET,
    ...["--expect-max-replicas", "5", "--expect-max-replicas", "short=10"],
    ...["--expect-max-replicas", "long=2"],
  ]).run;
  assert.equal(expect.maxReplicas, 5);
  assert.deepEqual(expect.maxReplicasByType, { short: 10, long: 2 });
  const plain = parseLoadtestArgs([...TARGET, "--expect-max-replicas", "3"]).run.expect;
  assert.equal(plain.maxReplicas, 3);
  assert.equal(plain.maxReplicasByType, undefined);
});

Deno.test("loadtest args: what a scenario cannot use, and bad --expect-max-replicas, are usage errors", () => {
  for (
    const [args, pattern] of [
      [[...TARGET, "--expect-max-replicas", "short=x"], /--expect-max-replicas must be a number/],
      [[...TARGET, "--expect-max-replicas", "short="], /--expect-max-replicas must be a number/],
      [[...TARGET, "--expect-max-replicas", "=3"], /wants N or TYPE=N/],
      [
        [...TARGET, "--expect-max-replicas", "a=1", "--expect-max-replicas", "a=2"],
        /once per type/,
      ],
      [[...TARGET, "--expect-max-replicas", "1", "--expect-max-replicas", "2"], /given twice/],
      [[...TARGET, "--scenario", "idle"], /--scenario idle watches worker replicas/],
      [
        [...TARGET, "--scenario", "daily-report", "--job-seconds", "5"],
        /run_scheduled_job, which takes no duration/,
      ],
    ] as const
  ) {
    assert.throws(
      () => parseLoadtestArgs([...args]),
      (e) => e instanceof LoadtestError && e.kind === "usage" && pattern.test(e.message),
      args.join(" "),
    );
  }
  assert.equal(
    parseLoadtestArgs(["shop/erp", "--scenario", "idle"]).run.scenario.stayAtMinimum,
    "all",
  );
});
