/** Sample FrappeDeployments written to manifests/samples/ (and parsed by the tests). */
import type { KubeObject } from "../kube/types.ts";
import { API_VERSION, KIND } from "./frappedeployment.ts";

export function minimalSample(): KubeObject {
  return {
    apiVersion: API_VERSION,
    kind: KIND,
    metadata: { name: "erp", namespace: "default" },
    spec: { sites: [{ name: "erp.example.com", apps: ["erpnext"] }] },
  };
}

const res = (cpu: string, memory: string, cpuLimit: string, memoryLimit: string) => ({
  requests: { cpu, memory },
  limits: { cpu: cpuLimit, memory: memoryLimit },
});

/**
 * Nearly every knob (managed data stores; the external variants are in
 * docs/api.md), with serverless short and long workers (KEDA scales them from
 * 0) and a custom queue.
 */
export function fullSample(): KubeObject {
  return {
    apiVersion: API_VERSION,
    kind: KIND,
    metadata: { name: "acme", namespace: "tenant-acme" },
    spec: {
      image: "frappe/erpnext:v15.105.0",
      frappeVersion: "15",
      benchId: "tenant-acme.acme",
      sites: [
        {
          name: "erp.acme.example.com",
          apps: ["erpnext"],
          adminPasswordSecretRef: { name: "acme-admin", key: "password" },
        },
      ],
      storage: { storageClassName: "nfs", size: "20Gi", accessMode: "ReadWriteMany" },
      database: {
        managed: {
          image: "mariadb:10.6",
          storageSize: "20Gi",
          storageClassName: "fast-rwo",
          resources: res("500m", "1Gi", "2", "2Gi"),
        },
      },
      redis: {
        queue: {
          managed: {
            image: "redis:7.2-alpine",
            storageSize: "2Gi",
            storageClassName: "fast-rwo",
            resources: res("100m", "256Mi", "500m", "512Mi"),
          },
        },
        cache: {
          managed: { image: "redis:7.2-alpine", resources: res("100m", "256Mi", "500m", "1Gi") },
        },
      },
      web: {
        replicas: 2,
        workers: 2,
        threads: 4,
        timeout: 120,
        resources: res("500m", "1Gi", "2", "2Gi"),
      },
      nginx: { replicas: 2, resources: res("100m", "128Mi", "500m", "256Mi") },
      socketio: { replicas: 1, resources: res("100m", "256Mi", "500m", "512Mi") },
      scheduler: { resources: res("100m", "256Mi", "500m", "512Mi") },
      workers: {
        short: {
          queues: ["short"],
          resources: res("500m", "1Gi", "1000m", "2Gi"),
          terminationGracePeriodSeconds: 360,
          autoscaling: {
            enabled: true,
            minReplicas: 0,
            maxReplicas: 10,
            queueLength: 5,
            pollingInterval: 15,
            cooldownPeriod: 60,
          },
        },
        long: {
          autoscaling: {
            enabled: true,
            minReplicas: 0,
            maxReplicas: 5,
            queueLength: 1,
            pollingInterval: 15,
            cooldownPeriod: 120,
          },
        },
        default: { replicas: 1, autoscaling: { enabled: false } },
        custom: [{
          name: "reports",
          timeout: 3600,
          queues: ["reports"],
          resources: res("1000m", "2Gi", "2000m", "4Gi"),
          autoscaling: { enabled: true, maxReplicas: 2, cooldownPeriod: 300 },
        }],
      },
      imagePullSecrets: [{ name: "registry" }],
      nodeSelector: { "kubernetes.io/os": "linux" },
      tolerations: [{ key: "dedicated", operator: "Equal", value: "frappe", effect: "NoSchedule" }],
      affinity: {
        podAntiAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: [{
            weight: 50,
            podAffinityTerm: {
              topologyKey: "kubernetes.io/hostname",
              labelSelector: { matchLabels: { "app.kubernetes.io/instance": "acme" } },
            },
          }],
        },
      },
      podAnnotations: { "prometheus.io/scrape": "false" },
      serviceAccountName: "acme-frappe",
      networkPolicy: { enabled: true },
      deletionPolicy: "Retain",
    },
  };
}
