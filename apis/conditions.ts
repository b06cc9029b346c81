/**
 * Condition types, condition reasons and event reasons of a FrappeDeployment,
 * as constants (one spelling everywhere; `kubectl wait --for=condition=Ready`).
 */

export const ConditionType = {
  /** Every component is available and every site exists. */
  Ready: "Ready",
  /** The operator is rolling something out (jobs running, pods updating). */
  Progressing: "Progressing",
  /** Something failed and needs a person (bad input, failed Job, crash loop). */
  Degraded: "Degraded",
  /** KEDA's CRDs are installed, so autoscaled workers can be rendered. */
  KedaAvailable: "KedaAvailable",
  /** Every autoscaled worker has a ScaledObject that KEDA reports Ready. */
  Autoscaling: "Autoscaling",
  /**
   * The operator read the workers' queues (status.workers[].queueDepth and
   * running) from the queue Redis. False: it could not, and KEDA, which
   * reads the same Redis, most likely cannot either. Not part of Ready.
   */
  QueuesObserved: "QueuesObserved",
} as const;
export type ConditionType = typeof ConditionType[keyof typeof ConditionType];

export const ConditionReason = {
  Reconciled: "Reconciled",
  InvalidSpec: "InvalidSpec",
  SecretMissing: "SecretMissing",
  /** The generated credentials Secret (or a key) is gone while data made with it exists. */
  CredentialsLost: "CredentialsLost",
  RenderFailed: "RenderFailed",
  ApplyFailed: "ApplyFailed",
  /**
   * A child as rendered was refused by the API server in a dry run (typically
   * a field passed through to pods, such as affinity): nothing was written.
   */
  RejectedByApiServer: "RejectedByApiServer",
  WaitingForDataStores: "WaitingForDataStores",
  WaitingForJobs: "WaitingForJobs",
  JobFailed: "JobFailed",
  RollingOut: "RollingOut",
  ComponentsNotReady: "ComponentsNotReady",
  AllComponentsReady: "AllComponentsReady",
  KedaInstalled: "KedaInstalled",
  KedaNotInstalled: "KedaNotInstalled",
  ScaledObjectsReady: "ScaledObjectsReady",
  ScaledObjectsNotReady: "ScaledObjectsNotReady",
  AutoscalingDisabled: "AutoscalingDisabled",
  QueuesRead: "QueuesRead",
  RedisNotReady: "RedisNotReady",
  RedisUnreachable: "RedisUnreachable",
  RedisAuthFailed: "RedisAuthFailed",
  RedisTlsFailed: "RedisTlsFailed",
  QueueKeyWrongType: "QueueKeyWrongType",
} as const;
export type ConditionReason = typeof ConditionReason[keyof typeof ConditionReason];

export const EventReason = {
  InvalidSpec: "InvalidSpec",
  SecretMissing: "SecretMissing",
  CredentialsLost: "CredentialsLost",
  Applied: "Applied",
  ApplyFailed: "ApplyFailed",
  RejectedByApiServer: "RejectedByApiServer",
  ImmutableFieldKept: "ImmutableFieldKept",
  Pruned: "Pruned",
  PruneFailed: "PruneFailed",
  JobFailed: "JobFailed",
  SiteCreated: "SiteCreated",
  Migrated: "Migrated",
  KedaMissing: "KedaMissing",
  Ready: "Ready",
  Degraded: "Degraded",
  QueuesNotObserved: "QueuesNotObserved",
} as const;
export type EventReason = typeof EventReason[keyof typeof EventReason];
