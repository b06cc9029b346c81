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

/** Every knob, with serverless short and long workers (KEDA scales them from 0). */
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
          resources: res("500m", "1Gi", "2", "2Gi"),
        },
      },
      redis: {
        queue: {
          managed: { storageSize: "2Gi", resources: res("100m", "256Mi", "500m", "512Mi") },
        },
        cache: { managed: { resources: res("100m", "256Mi", "500m", "1Gi") } },
      },
      web: { replicas: 2, workers: 2, threads: 4, resources: res("500m", "1Gi", "2", "2Gi") },
      nginx: { replicas: 2, resources: res("100m", "128Mi", "500m", "256Mi") },
      socketio: { replicas: 1, resources: res("100m", "256Mi", "500m", "512Mi") },
      scheduler: { resources: res("100m", "256Mi", "500m", "512Mi") },
      workers: {
        short: {
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
      },
      imagePullSecrets: [{ name: "registry" }],
      nodeSelector: { "kubernetes.io/os": "linux" },
      tolerations: [{ key: "dedicated", operator: "Equal", value: "frappe", effect: "NoSchedule" }],
      podAnnotations: { "prometheus.io/scrape": "false" },
      networkPolicy: { enabled: true },
      deletionPolicy: "Retain",
    },
  };
}
