import assert from "node:assert";
import {
  configSecretName,
  frappeVersionFromImage,
  parseCommonSiteConfig,
  rqVersionFor,
  rqWorkerArgv,
} from "./bench.ts";
import { buildPodStatus, type ContainerInfo, podPhase } from "./status.ts";

const running: ContainerInfo = {
  name: "w",
  image: "i",
  state: { running: { startedAt: "t" } },
  restartCount: 0,
};
const exited = (code: number): ContainerInfo => ({
  ...running,
  state: { terminated: { exitCode: code, reason: code ? "Error" : "Completed", finishedAt: "t" } },
});

Deno.test("phase follows the containers and the restart policy", () => {
  assert.strictEqual(podPhase("Always", [running]), "Running");
  assert.strictEqual(podPhase("Never", [exited(0)]), "Succeeded");
  assert.strictEqual(podPhase("Never", [exited(2)]), "Failed");
  assert.strictEqual(podPhase("OnFailure", [exited(0)]), "Succeeded");
  assert.strictEqual(podPhase("OnFailure", [exited(1)]), "Running");
  assert.strictEqual(
    podPhase("Always", [{ ...running, state: { waiting: { reason: "ContainerCreating" } } }]),
    "Pending",
  );
});

Deno.test("status carries conditions, container statuses, IPs and start time", () => {
  const s = buildPodStatus({
    restartPolicy: "Always",
    containers: [running],
    podIP: "127.0.1.1",
    hostIP: "127.0.0.1",
    startTime: "2026-01-01T00:00:00Z",
    now: "2026-01-01T00:00:01Z",
  });
  assert.strictEqual(s.phase, "Running");
  assert.strictEqual(s.podIP, "127.0.1.1");
  assert.strictEqual(s.startTime, "2026-01-01T00:00:00Z");
  const conds = s.conditions as { type: string; status: string }[];
  assert.deepStrictEqual(conds.map((c) => `${c.type}=${c.status}`), [
    "PodScheduled=True",
    "Initialized=True",
    "ContainersReady=True",
    "Ready=True",
  ]);
  const cs = (s.containerStatuses as { ready: boolean; restartCount: number }[])[0];
  assert.strictEqual(cs.ready, true);
  const done = buildPodStatus({
    ...{ restartPolicy: "Never" as const },
    containers: [exited(0)],
    podIP: "a",
    hostIP: "a",
    startTime: "t",
    now: "t",
  });
  assert.strictEqual(done.phase, "Succeeded");
  assert.strictEqual((done.conditions as { type: string; status: string }[])[3].status, "False");
});

Deno.test("bench config, versions and the rq worker argv", () => {
  assert.strictEqual(configSecretName("site"), "site-config");
  const c = parseCommonSiteConfig(
    JSON.stringify({ bench_id: "ns.site", redis_queue: "redis://:p@h:6379" }),
  );
  assert.deepStrictEqual(c, { benchId: "ns.site", redisQueue: "redis://:p@h:6379" });
  assert.throws(() => parseCommonSiteConfig("{}"), /bench_id/);
  assert.strictEqual(frappeVersionFromImage("frappe/erpnext:v16.3.1"), "16");
  assert.strictEqual(frappeVersionFromImage("frappe/erpnext:latest"), undefined);
  assert.strictEqual(rqVersionFor("15"), "1.15.1");
  assert.strictEqual(rqVersionFor("16"), "2.6.1");
  const argv = rqWorkerArgv({
    venvDir: "/v",
    standinDir: "/s",
    workerName: "pod-1",
    config: c,
    queues: ["short", "long"],
  });
  assert.deepStrictEqual(argv, [
    "/v/bin/rq",
    "worker",
    "--url",
    "redis://:p@h:6379",
    "--name",
    "pod-1",
    "--path",
    "/s",
    "ns.site:short",
    "ns.site:long",
  ]);
});
