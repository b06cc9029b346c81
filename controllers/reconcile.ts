/**
 * reconcile(key): level-triggered. It reads the FrappeDeployment from the
 * cache (never the watch event), and runs a short list of named steps; each
 * failing step carries the reason and message of the Degraded condition.
 * A resync where nothing changed sends no write: children carry an applied
 * hash, status and events are written only on a change (and, when the drift
 * re-apply is due, every child is applied again: reapply.ts). Nothing is
 * written before the API server has accepted, in a dry run, every child
 * about to be written (dry_run.ts). Queue depths come from the queue
 * observer's memory (it enqueues the key when they change); a reconcile
 * never waits on a tenant's Redis.
 */
import { ConditionReason as R, ConditionType as T, EventReason } from "../apis/conditions.ts";
import type { FrappeDeployment } from "../apis/frappedeployment.ts";
import { API_VERSION, KIND } from "../apis/frappedeployment.ts";
import { isoTime } from "../kube/clock.ts";
import { splitKey } from "../kube/resources.ts";
import type { KubeObject } from "../kube/types.ts";
import type { ProcessResult } from "../kube/workqueue.ts";
import { createCredentials, readCredentials } from "./credentials.ts";
import type { ReconcileDeps } from "./deps.ts";
import { dryRunGate } from "./dry_run.ts";
import { keepImmutable } from "./immutable.ts";
import { liveChildren } from "./live.ts";
import { observe } from "./observe.ts";
import { observeQueues } from "./queue_depth.ts";
import { checkReferencedSecrets } from "./references.ts";
import { prune } from "./prune.ts";
import { renderAll, type RenderContext, type RenderPhase } from "./render/mod.ts";
import { recordTransitions } from "./report.ts";
import { rollOut } from "./rollout.ts";
import { childId } from "./children.ts";
import { assertNoForeignChildren } from "./apply.ts";
import { nextStatus, type Observation, writeStatus } from "./status.ts";
import { pinAutoscalingDefault, validSpec } from "./spec.ts";
import { StepError } from "./steps.ts";

interface Outcome {
  observation: Observation;
  requeueAfterMs?: number;
  created: string[];
  configured: string[];
  pruned: string[];
}

export async function reconcile(key: string, deps: ReconcileDeps): Promise<ProcessResult> {
  const { namespace, name } = splitKey(key);
  const found = await deps.reader.get({ apiVersion: API_VERSION, kind: KIND, namespace, name });
  // Gone or going: children are garbage-collected through their ownerReferences.
  if (!found || found.metadata.deletionTimestamp) {
    deps.queues?.forget(key);
    deps.accepted?.forget(key);
    deps.reapply?.forget(key);
    return {};
  }
  const fd = await pinAutoscalingDefault(found, deps);
  try {
    const outcome = await converge(fd, deps);
    await report(fd, outcome, deps);
    return outcome.requeueAfterMs ? { requeueAfterMs: outcome.requeueAfterMs } : {};
  } catch (err) {
    const step = StepError.from(R.ApplyFailed, "reconcile", err);
    await report(fd, failed(step), deps);
    if (step.retry) throw step;
    return {};
  }
}

/** The steps, in order. */
async function converge(fd: KubeObject, deps: ReconcileDeps): Promise<Outcome> {
  const spec = validSpec(fd, deps);
  await checkReferencedSecrets(fd, spec, deps);
  const { ctx, phases } = await desiredState(fd, spec, deps);
  // Prune first: a ScaledObject (and KEDA's HPA) is gone before its worker gets static replicas.
  const pruned = await prune(fd, desiredIds(phases), ctx.kedaAvailable, deps);
  const reapply = reapplyDue(fd, deps);
  const rollout = await rollOut(phases, fd.metadata.uid, deps, reapply);
  if (reapply) deps.reapply?.done(fd, deps.clock.now());
  const live = await liveChildren(phases, rollout, deps);
  const current = deps.recentStatus?.recall(fd) ?? fd.status;
  const queues = observeQueues(spec, ctx, live, current, deps);
  const observation = observe(spec, phases, rollout, ctx, { live, queues });
  return {
    observation,
    requeueAfterMs: observation.phase === "Ready" ? undefined : deps.options.progressRequeueMs,
    created: rollout.created,
    configured: rollout.configured,
    pruned,
  };
}

/**
 * The rendered phases, their names checked and every write they would make
 * dry-run: nothing is written before this passes, not even new credentials.
 */
async function desiredState(
  fd: KubeObject,
  spec: FrappeDeployment,
  deps: ReconcileDeps,
): Promise<{ ctx: RenderContext; phases: RenderPhase[] }> {
  const credentials = await readCredentials(spec, deps);
  const ctx = await renderContext(credentials.secret, deps);
  const phases = await fitted(fd, render(spec, ctx), deps);
  await checkNames(phases, fd.metadata.uid, deps);
  try {
    await dryRunGate(fd, phases, deps);
  } catch (err) {
    throw StepError.from(R.ApplyFailed, "dry run", err);
  }
  if (!credentials.minted) return { ctx, phases };
  // Render again from what the server holds: a concurrent creator's passwords win.
  const stored = await createCredentials(spec, credentials.secret, deps);
  const storedCtx = { ...ctx, existingCredentials: stored };
  return { ctx: storedCtx, phases: await fitted(fd, render(spec, storedCtx), deps) };
}

/** The phases with what live objects can no longer change kept as it is (immutable.ts). */
async function fitted(fd: KubeObject, phases: RenderPhase[], deps: ReconcileDeps) {
  const kept = await keepImmutable(phases, deps);
  for (const notice of kept.notices) {
    await deps.events.recordOnce(fd, "Warning", EventReason.ImmutableFieldKept, notice);
  }
  return kept.phases;
}

/** Whether this reconcile applies every child again (drift, reapply.ts). */
function reapplyDue(fd: KubeObject, deps: ReconcileDeps): boolean {
  const due = deps.reapply?.due(fd, deps.clock.now(), deps.options.reapplyIntervalMs ?? 0);
  const { name, namespace } = fd.metadata;
  if (due) deps.log.info("re-applying every child", { frappeDeployment: name, namespace });
  return due ?? false;
}

async function renderContext(credentials: KubeObject, deps: ReconcileDeps): Promise<RenderContext> {
  let kedaAvailable: boolean;
  try {
    kedaAvailable = await deps.keda.available();
  } catch (err) {
    throw StepError.from(R.ApplyFailed, "checking whether KEDA is installed", err);
  }
  return {
    kedaAvailable,
    operatorNamespace: deps.options.operatorNamespace,
    kedaNamespace: deps.options.kedaNamespace,
    existingCredentials: credentials,
    randomPassword: deps.randomPassword,
  };
}

function render(spec: FrappeDeployment, ctx: RenderContext): RenderPhase[] {
  try {
    return renderAll(spec, ctx);
  } catch (err) {
    throw StepError.from(R.RenderFailed, "rendering", err);
  }
}

/** No desired name is taken by another owner (checked from the cache, before any write). */
async function checkNames(phases: RenderPhase[], uid: string | undefined, deps: ReconcileDeps) {
  try {
    await assertNoForeignChildren(phases.flatMap((p) => p.objects), uid, deps);
  } catch (err) {
    throw StepError.from(R.ApplyFailed, "checking child names", err);
  }
}

function desiredIds(phases: RenderPhase[]): Set<string> {
  return new Set(phases.flatMap((p) => p.objects.map(childId)));
}

function failed(step: StepError): Outcome {
  const msg = step.message;
  const cond = (type: string, ok: boolean) => ({
    type,
    status: ok ? "True" as const : "False" as const,
    reason: step.reason,
    message: msg,
  });
  return {
    observation: {
      phase: "Degraded",
      conditions: [cond(T.Ready, false), cond(T.Progressing, false), cond(T.Degraded, true)],
    },
    created: [],
    configured: [],
    pruned: [],
  };
}

/** Status (only when changed) and the events of what changed. */
async function report(found: KubeObject, outcome: Outcome, deps: ReconcileDeps): Promise<void> {
  const fd = { ...found, status: deps.recentStatus?.recall(found) ?? found.status };
  const next = nextStatus(
    fd.status,
    outcome.observation,
    fd.metadata.generation ?? 0,
    isoTime(deps.clock),
  );
  await recordTransitions(fd, outcome, next, deps);
  try {
    if (await writeStatus(fd, next, deps)) deps.recentStatus?.remember(found, next);
  } catch (err) {
    throw StepError.from(R.ApplyFailed, "writing status", err);
  }
  if (outcome.pruned.length > 0) {
    await deps.events.record(
      fd,
      "Normal",
      EventReason.Pruned,
      `deleted ${outcome.pruned.join(", ")}`,
    );
  }
}
