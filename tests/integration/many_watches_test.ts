/**
 * The API server allows 100 concurrent streams per HTTP/2 connection. An
 * operator watching many namespaces holds more watches than that; ordinary
 * requests must still be answered (found by bench/operator_scale.ts with 110
 * watches: every apply timed out).
 */
import assert from "node:assert/strict";
import { HttpTransport } from "../../kube/http_transport.ts";
import { loadKubeconfig } from "../../kube/kubeconfig.ts";
import { ensureCluster, kubeconfigPath } from "../support/cluster.ts";

Deno.test("ordinary requests are answered while 120 watches are open", async () => {
  await ensureCluster();
  const cfg = await loadKubeconfig({ path: kubeconfigPath(), readTextFile: Deno.readTextFile });
  const transport = new HttpTransport({ ...cfg.connection, timeoutMs: 10_000 });
  const stop = new AbortController();
  // Opened concurrently, as the operator's informers do; with every watch on
  // one HTTP/2 connection the ones past 100 and the requests below would wait
  // for a free stream and the requests would hit the transport's 10 s timeout.
  const streams = Array.from({ length: 120 }, () =>
    transport.stream({
      method: "GET",
      path: "/api/v1/namespaces/default/configmaps",
      query: { watch: "true", timeoutSeconds: "300" },
      signal: stop.signal,
    }));
  try {
    const opened = await Promise.race([
      Promise.all(streams).then(() => true),
      new Promise<false>((r) => setTimeout(() => r(false), 15_000)),
    ]);
    assert.ok(opened, "all 120 watches are open within 15 s");
    for (let i = 0; i < 5; i++) {
      const list = await transport.request({ method: "GET", path: "/api/v1/namespaces" }) as {
        items: unknown[];
      };
      assert.ok(list.items.length > 0);
    }
  } finally {
    stop.abort();
    await Promise.allSettled(streams.map(async (s) => (await s).cancel()));
    transport.close();
  }
});
