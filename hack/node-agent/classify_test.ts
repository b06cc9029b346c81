import assert from "node:assert";
import { classifyPod, parseWorkerQueues } from "./classify.ts";
import { redisServerArgs } from "./redis_args.ts";
import { expandVars, resolveEnv } from "./env.ts";

const pod = (container: Record<string, unknown>, meta: Record<string, unknown> = {}) => ({
  metadata: { name: "p", namespace: "ns", ...meta },
  spec: { containers: [{ name: "c", ...container }] },
});

Deno.test("bench worker --queue parses into queues", () => {
  assert.deepStrictEqual(parseWorkerQueues(["bench", "worker", "--queue", "short,default"]), [
    "short",
    "default",
  ]);
  assert.deepStrictEqual(parseWorkerQueues(["/usr/bin/bench", "worker", "--queue=long"]), ["long"]);
  assert.deepStrictEqual(parseWorkerQueues(["bench", "worker"]), ["short", "default", "long"]);
  assert.strictEqual(parseWorkerQueues(["bench", "schedule"]), undefined);
});

Deno.test("pods are classified by command, image and owner", () => {
  const worker = classifyPod(pod({ command: ["bench", "worker", "--queue", "short"] }));
  assert.deepStrictEqual(worker, { kind: "worker", container: "c", queues: ["short"] });
  const redis = classifyPod(
    pod({ image: "redis:7.2-alpine", command: ["redis-server"], args: ["--appendonly", "yes"] }),
  );
  assert.deepStrictEqual(redis, {
    kind: "redis",
    container: "c",
    argv: ["redis-server", "--appendonly", "yes"],
  });
  assert.strictEqual(classifyPod(pod({ image: "docker.io/library/redis" })).kind, "redis");
  assert.strictEqual(
    classifyPod(pod({ image: "frappe/erpnext:v15", args: ["nginx-entrypoint.sh"] })).kind,
    "idle",
  );
  assert.strictEqual(classifyPod(pod({ image: "mariadb:11.8" })).kind, "idle");
  const job = pod({ command: ["bench", "migrate"] }, {
    ownerReferences: [{ kind: "Job", name: "j" }],
  });
  assert.strictEqual(classifyPod(job).kind, "job");
});

Deno.test("redis-server args keep the pod's options and take bind/port/dir", () => {
  const args = redisServerArgs(
    [
      "redis-server",
      "--appendonly",
      "yes",
      "--dir",
      "/data",
      "--requirepass",
      "s3cret",
      "--save",
      "",
    ],
    { bind: "127.0.1.2", port: 6379, dataDir: "/tmp/d" },
  );
  assert.deepStrictEqual(args, [
    "--appendonly",
    "yes",
    "--requirepass",
    "s3cret",
    "--save",
    "",
    "--bind",
    "127.0.1.2",
    "--port",
    "6379",
    "--dir",
    "/tmp/d",
    "--daemonize",
    "no",
    "--protected-mode",
    "no",
  ]);
});

Deno.test("env: secretKeyRef resolved, $(VAR) expanded, $$ escapes", async () => {
  const env = await resolveEnv(
    [
      { name: "REDIS_PASSWORD", valueFrom: { secretKeyRef: { name: "creds", key: "pw" } } },
      { name: "URL", value: "redis://:$(REDIS_PASSWORD)@h" },
    ],
    (kind, name, key) =>
      Promise.resolve(kind === "Secret" && name === "creds" && key === "pw" ? "x" : undefined),
  );
  assert.deepStrictEqual(env, { REDIS_PASSWORD: "x", URL: "redis://:x@h" });
  assert.strictEqual(expandVars("$$(A) $(A) $(B)", { A: "1" }), "$(A) 1 $(B)");
  await assert.rejects(
    resolveEnv(
      [{ name: "X", valueFrom: { secretKeyRef: { name: "s", key: "k" } } }],
      () => Promise.resolve(undefined),
    ),
  );
});
