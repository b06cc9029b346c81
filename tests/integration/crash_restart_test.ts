/**
 * Issue 3, "a restarted operator converges without duplicates", when the
 * operator PROCESS dies in the middle of a rollout: `bin/frappe-op run
 * --leader-elect` (bench/operator_process.ts: the binary's own permissions,
 * one pid) is SIGKILLed (no shutdown, the lease is not released), and a new
 * process, once it has taken the lease over, finishes the rollout.
 *
 * A watch on every child kind of the namespace records each object the
 * operators ever made, changed or deleted, so a duplicate that was created
 * and pruned again before the end is caught too. What a bug would look like,
 * and what fails then:
 * - passwords minted again (a stale read of the credentials Secret, an
 *   overwrite): a version of the Secret whose data differs from the first
 *   one, a "creating credentials Secret" line in the new process's log, and a
 *   configure Job of another name (its name hashes the config, which holds the
 *   Redis passwords), i.e. two configure Jobs, or the first one pruned;
 * - children created again (delete and create, a Job of another name): a name
 *   seen with two uids, a DELETED event, or a name render does not ask for;
 * - ownerReferences or labels lost (the credentials Secret is POSTed without
 *   them and applied right after): a child whose references or labels differ
 *   from the render of the live FrappeDeployment.
 *
 * How the kill lands mid-rollout on purpose (the node agent completes Job pods
 * in 2 s, too fast to catch by timing): the new-site Job of one site is
 * created by the test and driven by it (`spec.managedBy`, jobs_support.ts), so
 * it stays running and the rollout waits at the sites gate with the
 * credentials, the data stores, the configure Job and the other site's Job in
 * place; it is completed only after the new process has reconciled the
 * half-done bench a few times. A second test kills the first process the
 * moment its credentials Secret appears (often before the apply that adds the
 * ownerReference under `deletionPolicy: Delete`).
 */
import assert from "node:assert/strict";
import { parseFrappeDeployment } from "../../apis/frappedeployment.ts";
import { OperatorProcess } from "../../bench/operator_process.ts";
import type { KubeClient } from "../../kube/client.ts";
import { isNotFound } from "../../kube/errors.ts";
import type { KubeObject } from "../../kube/types.ts";
import type { WatchEventType } from "../../kube/watch.ts";
import { CHILD_KINDS } from "../../controllers/prune.ts";
import { childId } from "../../controllers/children.ts";
import { CREDENTIAL_KEYS } from "../../controllers/render/credentials.ts";
import { JOB_SLOT_ANNOTATION } from "../../controllers/render/jobs.ts";
import { renderAll } from "../../controllers/render/mod.ts";
import { eventually, kubeconfigPath } from "../support/cluster.ts";
import { freePort } from "../support/net.ts";
import { createTestJob, jobList, renderedJob, setJobStatus } from "./jobs_support.ts";
import {
  childrenOf,
  fdRef,
  frappeDeployment,
  getObject,
  idOf,
  operatorTest,
} from "./operator_support.ts";

const NAME = "erp";
const SITE_A = { name: "a.example.com", apps: ["erpnext"] };
const SITE_B = { name: "b.example.com", apps: ["erpnext"] };
const CREDENTIALS = `${NAME}-credentials`;
const CONFIG = `${NAME}-config`;

// ---------------------------------------------------------------------------
// The operator as a real process

interface Operators {
  start(label: string): OperatorProcess;
  /** SIGKILL: no graceful shutdown, nothing released; waits until the process is gone. */
  kill(op: OperatorProcess): Promise<void>;
  /** The log of the process started as `label`. */
  log(label: string): Promise<string>;
}

/** Runs `fn` with operator processes for `ns`; every one still running is stopped afterwards. */
async function withOperators(ns: string, fn: (ops: Operators) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "frappe-op-crash-" });
  const started = new Map<string, OperatorProcess>();
  const logFile = (label: string) => `${dir}/${label}.log`;
  const ops: Operators = {
    start(label) {
      const op = new OperatorProcess({
        kubeconfig: kubeconfigPath(),
        namespaces: [ns],
        port: freePort(),
        resync: "2s",
        logFile: logFile(label),
        extraArgs: [
          "--leader-elect",
          "--leader-election-namespace",
          ns,
          "--progress-requeue",
          "1s",
        ],
      });
      started.set(label, op);
      return op;
    },
    async kill(op) {
      Deno.kill(op.pid, "SIGKILL");
      await eventually("the operator process gone", () => Promise.resolve(op.exit), 10_000, 20);
      await op.stop();
      assert.equal(op.exit?.signal, "SIGKILL", "the operator died of SIGKILL");
    },
    log: (label) => Deno.readTextFile(logFile(label)).catch(() => ""),
  };
  try {
    await fn(ops);
  } catch (err) {
    for (const label of started.keys()) {
      console.error(`--- ${label}.log (tail) ---\n${(await ops.log(label)).slice(-6000)}`);
    }
    throw err;
  } finally {
    for (const op of started.values()) await op.stop(10_000);
    await Deno.remove(dir, { recursive: true });
  }
}

/** Resolves once the process is the leader and has finished `n` reconciles. */
async function reconciled(op: OperatorProcess, n: number): Promise<void> {
  // Up to the 15 s lease a SIGKILLed leader leaves behind, plus start-up.
  await eventually(
    `${n} reconciles by the new operator`,
    async () => {
      if (op.exit) throw new Error(`the operator exited: ${JSON.stringify(op.exit)}`);
      const c = await op.counters();
      return c && c.reconciles >= n ? true : undefined;
    },
    90_000,
    250,
  );
}

/** Lines of the operator's JSON log whose message is `msg`. */
const logLines = (log: string, msg: string) =>
  log.split("\n").filter((l) => l.includes(`"msg":${JSON.stringify(msg)}`));

// ---------------------------------------------------------------------------
// Every child kind of the namespace, watched from before the FrappeDeployment exists

interface Seen {
  type: WatchEventType;
  object: KubeObject;
}

/**
 * Lists, then watches, every kind render may produce in `ns` (no label
 * selector: an object the operator makes without its labels is seen too), and
 * keeps every event.
 */
class ChildRecorder {
  readonly events: Seen[] = [];
  readonly errors: unknown[] = [];
  readonly #live = new Map<string, KubeObject>();
  readonly #stop = new AbortController();
  readonly #loops: Promise<void>[] = [];
  readonly #waiters: { id: string; resolve: (o: KubeObject) => void }[] = [];

  static async start(client: KubeClient, ns: string): Promise<ChildRecorder> {
    const r = new ChildRecorder();
    for (const k of CHILD_KINDS) {
      let listed;
      try {
        listed = await client.list(k.apiVersion, k.kind, { namespace: ns });
      } catch (err) {
        if (k.keda && isNotFound(err)) continue; // KEDA's CRDs not installed
        throw err;
      }
      for (const item of listed.items) r.#record("ADDED", { ...item, kind: k.kind });
      r.#loops.push(r.#watch(client, k.apiVersion, k.kind, ns, listed.resourceVersion));
    }
    return r;
  }

  async #watch(client: KubeClient, apiVersion: string, kind: string, ns: string, rv: string) {
    const signal = this.#stop.signal;
    while (!signal.aborted) {
      try {
        const events = client.watch(apiVersion, kind, {
          namespace: ns,
          resourceVersion: rv,
          timeoutSeconds: 600,
          signal,
        });
        for await (const ev of events) {
          if (ev.type === "ERROR") throw new Error(`watch ${kind}: ${JSON.stringify(ev.object)}`);
          rv = ev.object.metadata.resourceVersion ?? rv;
          if (ev.type !== "BOOKMARK") this.#record(ev.type, ev.object);
        }
      } catch (err) {
        if (!signal.aborted) this.errors.push(err);
        return;
      }
    }
  }

  #record(type: WatchEventType, object: KubeObject) {
    this.events.push({ type, object });
    const id = childId(object);
    if (type === "DELETED") this.#live.delete(id);
    else this.#live.set(id, object);
    for (const w of this.#waiters.filter((w) => w.id === id && type !== "DELETED")) {
      this.#waiters.splice(this.#waiters.indexOf(w), 1);
      w.resolve(object);
    }
  }

  /** The object `Kind/name` as first seen (at once if it was seen already). */
  appeared(id: string): Promise<KubeObject> {
    const first = this.events.find((e) => childId(e.object) === id);
    if (first) return Promise.resolve(first.object);
    return new Promise((resolve) => this.#waiters.push({ id, resolve }));
  }

  /** `Kind/name` of every object that exists now (as far as the watches have told). */
  liveIds(): string[] {
    return [...this.#live.keys()].sort();
  }

  /** Every version of `Kind/name` seen, oldest first. */
  versions(id: string): KubeObject[] {
    return this.events.filter((e) => childId(e.object) === id && e.type !== "DELETED")
      .map((e) => e.object);
  }

  /** Waits until the watches have seen everything the API server holds now. */
  async caughtUp(client: KubeClient, ns: string): Promise<void> {
    await eventually(
      "the watches caught up",
      async () => {
        const now = (await childrenOfAllKinds(client, ns)).map((o) =>
          `${idOf(o)}@${o.metadata.uid}`
        )
          .sort();
        const seen = this.liveIds().map((id) => `${id}@${this.#live.get(id)!.metadata.uid}`);
        return JSON.stringify(now) === JSON.stringify(seen) ? true : undefined;
      },
      10_000,
      100,
    );
  }

  /**
   * No object was ever deleted, and no name was ever held by two objects
   * (deleted and created again): every name has exactly one uid.
   */
  assertNothingRecreated(): void {
    assert.deepEqual(this.errors, [], "the watches ran to the end");
    const deleted = this.events.filter((e) => e.type === "DELETED").map((e) => idOf(e.object));
    assert.deepEqual(deleted, [], "nothing was deleted (pruned, replaced) during the rollout");
    const uids = new Map<string, Set<string>>();
    for (const { object } of this.events) {
      const id = childId(object);
      uids.set(id, (uids.get(id) ?? new Set()).add(object.metadata.uid!));
    }
    const twice = [...uids].filter(([, u]) => u.size > 1).map(([id, u]) => `${id}: ${[...u]}`);
    assert.deepEqual(twice, [], "no name was held by two objects");
  }

  async stop(): Promise<void> {
    this.#stop.abort();
    await Promise.all(this.#loops);
  }
}

/** Every object of the child kinds in `ns`, labelled or not (KEDA's kinds when installed). */
async function childrenOfAllKinds(client: KubeClient, ns: string): Promise<KubeObject[]> {
  const out: KubeObject[] = [];
  for (const k of CHILD_KINDS) {
    try {
      const { items } = await client.list(k.apiVersion, k.kind, { namespace: ns });
      out.push(...items.map((o) => ({ ...o, kind: k.kind })));
    } catch (err) {
      if (!(k.keda && isNotFound(err))) throw err;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------
// What the FrappeDeployment asks for, rendered from the live objects

interface Expected {
  /** `Kind/name` -> the rendered object (ownerReferences with the live uid). */
  rendered: Map<string, KubeObject>;
  /** `Kind/name` -> rollout phase. */
  phaseOf: Map<string, string>;
  /** The claims the StatefulSets make from their volumeClaimTemplates. */
  claims: string[];
}

/**
 * The render of the live FrappeDeployment from the live credentials Secret (as
 * the operator renders it), so a configure Job rendered from other passwords
 * would not match.
 */
async function expected(client: KubeClient, ns: string): Promise<Expected> {
  const live = await client.get(fdRef(ns, NAME));
  assert.ok(live, "the FrappeDeployment exists");
  const parsed = parseFrappeDeployment(live);
  if (!parsed.ok) throw new Error(parsed.errors.join("; "));
  const credentials = await getObject(client, "v1", "Secret", ns, CREDENTIALS);
  assert.ok(credentials, "the credentials Secret exists");
  const keda = (live.status?.conditions ?? []).some((c: { type: string; status: string }) =>
    c.type === "KedaAvailable" && c.status === "True"
  );
  const phases = renderAll(parsed.value, { kedaAvailable: keda, existingCredentials: credentials });
  const out: Expected = { rendered: new Map(), phaseOf: new Map(), claims: [] };
  for (const { phase, objects } of phases) {
    for (const o of objects) {
      assert.ok(!out.rendered.has(childId(o)), `render names ${childId(o)} once`);
      out.rendered.set(childId(o), o);
      out.phaseOf.set(childId(o), phase);
      if (o.kind !== "StatefulSet") continue;
      for (const tpl of o.spec.volumeClaimTemplates ?? []) {
        for (let i = 0; i < (o.spec.replicas ?? 1); i++) {
          out.claims.push(`PersistentVolumeClaim/${tpl.metadata.name}-${o.metadata.name}-${i}`);
        }
      }
    }
  }
  return out;
}

/**
 * The namespace holds exactly what render asks for (plus the StatefulSets'
 * claims), each child with the ownerReferences render gives it and its labels.
 */
async function assertExactlyRendered(
  client: KubeClient,
  ns: string,
  recorder: ChildRecorder,
): Promise<Expected> {
  const want = await expected(client, ns);
  await recorder.caughtUp(client, ns);
  assert.deepEqual(
    recorder.liveIds(),
    [...want.rendered.keys(), ...want.claims].sort(),
    "one object per child render asks for: nothing missing, nothing extra",
  );
  const live = new Map((await childrenOfAllKinds(client, ns)).map((o) => [idOf(o), o]));
  for (const [id, r] of want.rendered) {
    const o = live.get(id)!;
    assert.deepEqual(
      o.metadata.ownerReferences ?? [],
      r.metadata.ownerReferences ?? [],
      `${id}: ownerReferences as rendered`,
    );
    for (const [k, v] of Object.entries(r.metadata.labels ?? {})) {
      assert.equal(o.metadata.labels?.[k], v, `${id}: label ${k}`);
    }
  }
  // Per role, as the issue words it: one credentials Secret, one Job per slot.
  const fd = await client.get(fdRef(ns, NAME));
  const sites: string[] = fd!.spec.sites.map((s: { name: string }) => `new-site/${s.name}`);
  const slots = (await jobList(client, ns, NAME))
    .map((j) => j.metadata.annotations?.[JOB_SLOT_ANNOTATION]).sort();
  assert.deepEqual(
    slots,
    ["configure", "migrate", ...sites].sort(),
    "one configure Job, one new-site Job per site, one migrate Job",
  );
  const secrets = (await childrenOf(client, ns, NAME)).filter((o) =>
    o.kind === "Secret" && o.metadata.labels?.["app.kubernetes.io/component"] === "credentials"
  );
  assert.deepEqual(secrets.map(idOf), [`Secret/${CREDENTIALS}`], "one credentials Secret");
  return want;
}

/** `Kind/name` -> uid of every object of the child kinds in `ns`. */
async function uidsOf(client: KubeClient, ns: string): Promise<Map<string, string>> {
  return new Map((await childrenOfAllKinds(client, ns)).map((o) => [idOf(o), o.metadata.uid!]));
}

/**
 * Every version of the credentials (and config) Secret the watch saw carries
 * the data it was created with, and that equals `minted`: the passwords were
 * made once and never replaced, not even for a moment.
 */
function assertPasswordsNeverChanged(recorder: ChildRecorder, minted: Record<string, string>) {
  for (const key of CREDENTIAL_KEYS) {
    assert.ok((minted[key] ?? "").length > 0, `the minted Secret has ${key}`);
  }
  const versions = recorder.versions(`Secret/${CREDENTIALS}`);
  assert.ok(versions.length > 0);
  for (const [i, v] of versions.entries()) {
    assert.deepEqual(v.data, minted, `version ${i} of ${CREDENTIALS}: the minted passwords`);
  }
  const configs = recorder.versions(`Secret/${CONFIG}`);
  for (const [i, v] of configs.entries()) {
    assert.deepEqual(v.data, configs[0].data, `version ${i} of ${CONFIG}: the first config`);
  }
}

async function phaseOf(client: KubeClient, ns: string): Promise<string | undefined> {
  return (await client.get(fdRef(ns, NAME)))?.status?.phase;
}

async function ready(client: KubeClient, ns: string): Promise<void> {
  await eventually(
    `${ns}/${NAME} Ready`,
    async () => {
      return await phaseOf(client, ns) === "Ready" ? true : undefined;
    },
    120_000,
    500,
  );
}

// ---------------------------------------------------------------------------

operatorTest(
  "operator SIGKILLed mid-rollout (a Job pending): the new process converges with no duplicates, " +
    "the same passwords and the same uids",
  { namespace: "op-crash-jobs" },
  async ({ client, ns }) => {
    const recorder = await ChildRecorder.start(client, ns);
    try {
      await withOperators(ns, async (ops) => {
        const fd = frappeDeployment(ns, NAME, { sites: [SITE_A, SITE_B] });
        await client.apply(fd, { fieldManager: "test", force: true });
        // Site a's new-site Job is the test's: it runs until the test completes it.
        const slotA = `new-site/${SITE_A.name}`;
        const held = await createTestJob(client, await renderedJob(client, fd, slotA));

        const first = ops.start("first");
        // The kill point: credentials minted, the configure Job and site b's Job created by
        // the operator, the rollout held at the sites gate (not Ready).
        await eventually(
          "the rollout half done",
          async () => {
            if (first.exit) throw new Error(`the operator exited: ${JSON.stringify(first.exit)}`);
            const secret = await getObject(client, "v1", "Secret", ns, CREDENTIALS);
            const slots = (await jobList(client, ns, NAME)).map((j) =>
              j.metadata.annotations?.[JOB_SLOT_ANNOTATION]
            );
            const half = secret && slots.includes("configure") &&
              slots.includes(`new-site/${SITE_B.name}`);
            return half && await phaseOf(client, ns) !== "Ready" ? true : undefined;
          },
          120_000,
          200,
        );
        await ops.kill(first);

        // What the dead operator left: mid-rollout, nothing of the later phases.
        await recorder.caughtUp(client, ns);
        const before = await uidsOf(client, ns);
        const mintedSecret = await recorder.appeared(`Secret/${CREDENTIALS}`);
        const minted: Record<string, string> = mintedSecret.data;
        assert.notEqual(await phaseOf(client, ns), "Ready");
        const want = await expected(client, ns);
        const laterPhases = [...before.keys()].filter((id) =>
          ["migrate", "apps"].includes(want.phaseOf.get(id) ?? "")
        );
        assert.deepEqual(laterPhases, [], "killed before the migrate and apps phases");
        assert.equal(before.get(`Job/${held.metadata.name}`), held.metadata.uid);
        assert.equal(logLines(await ops.log("first"), "creating credentials Secret").length, 1);

        // The new process takes the lease over and reconciles the half-done bench.
        const second = ops.start("second");
        await reconciled(second, 3);
        assert.notEqual(await phaseOf(client, ns), "Ready", "still held at the sites gate");
        await recorder.caughtUp(client, ns);
        assert.deepEqual(
          await uidsOf(client, ns),
          before,
          "while held, the new operator creates and replaces nothing",
        );
        assertPasswordsNeverChanged(recorder, minted);

        // Site a's Job finishes: the new operator completes the rollout.
        await setJobStatus(client, held, "complete");
        await ready(client, ns);
        await assertExactlyRendered(client, ns, recorder);
        const after = await uidsOf(client, ns);
        for (const [id, uid] of before) {
          assert.equal(after.get(id), uid, `${id} created before the kill keeps its uid`);
        }
        const created = [...after.keys()].filter((id) => !before.has(id));
        for (const id of created) {
          assert.ok(
            ["migrate", "apps"].includes(want.phaseOf.get(id) ?? "") ||
              id.startsWith("PersistentVolumeClaim/"),
            `${id} created by the new operator belongs to a phase the first never reached`,
          );
        }
        assert.ok(created.some((id) => id.startsWith("Job/")), "the new operator ran migrate");
        assertPasswordsNeverChanged(recorder, minted);
        recorder.assertNothingRecreated();
        const log = await ops.log("second");
        assert.deepEqual(logLines(log, "creating credentials Secret"), [], "nothing minted");
        assert.match(log, /became leader/);
        assert.equal(await second.stop(), 0, "the new operator stops cleanly");
      });
    } finally {
      await recorder.stop();
    }
  },
);

operatorTest(
  "operator SIGKILLed as its credentials Secret appears: the new process keeps those passwords " +
    "and adds the ownerReference",
  { namespace: "op-crash-mint" },
  async ({ client, ns }) => {
    const recorder = await ChildRecorder.start(client, ns);
    try {
      await withOperators(ns, async (ops) => {
        // Delete: the credentials Secret carries a controller reference, added by the apply
        // that follows its POST (controllers/credentials.ts).
        await client.apply(
          frappeDeployment(ns, NAME, { sites: [SITE_A], deletionPolicy: "Delete" }),
          { fieldManager: "test", force: true },
        );
        const appeared = recorder.appeared(`Secret/${CREDENTIALS}`);
        const first = ops.start("first");
        const minted = await appeared;
        await ops.kill(first);
        await recorder.caughtUp(client, ns);
        const atKill = await getObject(client, "v1", "Secret", ns, CREDENTIALS);
        const before = await uidsOf(client, ns);
        const caught = (atKill?.metadata.ownerReferences ?? []).length === 0;
        console.log(
          `  killed ${
            caught ? "between the POST and the apply" : "after the apply"
          } of the credentials Secret; ${before.size} children existed`,
        );

        const second = ops.start("second");
        await reconciled(second, 1);
        await ready(client, ns);
        const want = await assertExactlyRendered(client, ns, recorder);
        const owner = want.rendered.get(`Secret/${CREDENTIALS}`)!.metadata.ownerReferences;
        assert.equal(owner?.length, 1, "under Delete the credentials Secret is owned");
        const after = await uidsOf(client, ns);
        for (const [id, uid] of before) {
          assert.equal(after.get(id), uid, `${id} created before the kill keeps its uid`);
        }
        assertPasswordsNeverChanged(recorder, minted.data);
        recorder.assertNothingRecreated();
        const log = await ops.log("second");
        assert.deepEqual(logLines(log, "creating credentials Secret"), [], "nothing minted");
        assert.equal(await second.stop(), 0, "the new operator stops cleanly");
      });
    } finally {
      await recorder.stop();
    }
  },
);
