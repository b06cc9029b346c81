/**
 * The subset of KEDA's `keda.sh/v1alpha1` API frappe-op writes, checked
 * against KEDA v2.20.2: apis/keda/v1alpha1/scaledobject_types.go,
 * scaletriggers_types.go, triggerauthentication_types.go,
 * config/crd/bases/keda.sh_{scaledobjects,triggerauthentications}.yaml and
 * pkg/scalers/redis_scaler.go (trigger metadata and auth parameter names).
 */
import type { ObjectMeta } from "../kube/types.ts";

export const KEDA_API_VERSION = "keda.sh/v1alpha1";
export const KEDA_GROUP = "keda.sh";

/** Annotations KEDA reads on a ScaledObject (scaledobject_types.go). */
export const KEDA_PAUSED_ANNOTATION = "autoscaling.keda.sh/paused";
export const KEDA_PAUSED_REPLICAS_ANNOTATION = "autoscaling.keda.sh/paused-replicas";
/** Label KEDA puts on the ScaledObject and its HPA; a label value, so <= 63 chars. */
export const KEDA_SCALEDOBJECT_LABEL = "scaledobject.keda.sh/name";
/** KEDA names the HPA it creates `keda-hpa-<scaledobject>` unless advanced.horizontalPodAutoscalerConfig.name is set. */
export const KEDA_HPA_PREFIX = "keda-hpa-";

/** ScaledObject condition types (condition_types.go). */
export const KedaCondition = {
  Ready: "Ready",
  Active: "Active",
  Fallback: "Fallback",
  Paused: "Paused",
} as const;

/** autoscaling/v2 HPAScalingPolicy. */
export interface HpaScalingPolicy {
  type: "Pods" | "Percent";
  value: number;
  periodSeconds: number;
}

/** autoscaling/v2 HPAScalingRules. stabilizationWindowSeconds: 0..3600. */
export interface HpaScalingRules {
  stabilizationWindowSeconds?: number;
  selectPolicy?: "Max" | "Min" | "Disabled";
  policies?: HpaScalingPolicy[];
}

/** autoscaling/v2 HorizontalPodAutoscalerBehavior. */
export interface HpaBehavior {
  scaleUp?: HpaScalingRules;
  scaleDown?: HpaScalingRules;
}

export interface ScaleTarget {
  name: string;
  apiVersion?: string;
  kind?: string;
  envSourceContainerName?: string;
}

export interface AuthenticationRef {
  name: string;
  kind?: "TriggerAuthentication" | "ClusterTriggerAuthentication";
}

/**
 * Metadata of a `type: redis` trigger (redis_scaler.go `redisMetadata` and
 * `redisConnectionInfo`). All values are strings. `listLength` defaults to 5,
 * `activationListLength` to 0 (active only when the length is STRICTLY
 * greater), `databaseIndex` to 0, TLS off. Secrets (password, tls certs) go
 * through a TriggerAuthentication, never here.
 */
export interface RedisTriggerMetadata {
  address?: string;
  host?: string;
  port?: string;
  username?: string;
  listName: string;
  listLength?: string;
  activationListLength?: string;
  databaseIndex?: string;
  enableTLS?: "true" | "false";
  unsafeSsl?: "true" | "false";
}

export interface ScaleTrigger {
  type: string;
  /** Unique within the ScaledObject when set. */
  name?: string;
  useCachedMetrics?: boolean;
  metadata: Record<string, string>;
  authenticationRef?: AuthenticationRef;
  metricType?: "AverageValue" | "Value" | "Utilization";
}

export interface RedisTrigger extends ScaleTrigger {
  type: "redis";
  metadata: RedisTriggerMetadata & Record<string, string>;
}

export interface ScaledObjectSpec {
  scaleTargetRef: ScaleTarget;
  /** Seconds, >= 1; KEDA default 30. */
  pollingInterval?: number;
  initialCooldownPeriod?: number;
  /** Seconds, >= 0; KEDA default 300; only for going to 0. */
  cooldownPeriod?: number;
  idleReplicaCount?: number;
  /** >= 0; KEDA default 0. */
  minReplicaCount?: number;
  /** >= 1; KEDA default 100. */
  maxReplicaCount?: number;
  advanced?: {
    horizontalPodAutoscalerConfig?: { behavior?: HpaBehavior; name?: string };
    restoreToOriginalReplicaCount?: boolean;
  };
  /** At least one. */
  triggers: ScaleTrigger[];
  fallback?: {
    failureThreshold: number;
    replicas: number;
    behavior?:
      | "static"
      | "currentReplicas"
      | "currentReplicasIfHigher"
      | "currentReplicasIfLower"
      | "scalingModifiers";
  };
}

export interface ScaledObject {
  apiVersion: typeof KEDA_API_VERSION;
  kind: "ScaledObject";
  metadata: ObjectMeta;
  spec: ScaledObjectSpec;
}

/** AuthSecretTargetRef: the scaler's auth `parameter` read from Secret `name`, key `key`. */
export interface AuthSecretTargetRef {
  parameter: string;
  name: string;
  key: string;
}

/** Auth parameters the redis scaler reads (redis_scaler.go, `order=authParams`). */
export type RedisAuthParameter =
  | "password"
  | "username"
  | "tls"
  | "ca"
  | "cert"
  | "key"
  | "keyPassword"
  | "sentinelPassword"
  | "sentinelUsername";

export interface TriggerAuthentication {
  apiVersion: typeof KEDA_API_VERSION;
  kind: "TriggerAuthentication";
  metadata: ObjectMeta;
  spec: {
    secretTargetRef?: AuthSecretTargetRef[];
    configMapTargetRef?: AuthSecretTargetRef[];
    env?: { parameter: string; name: string; containerName?: string }[];
  };
}
