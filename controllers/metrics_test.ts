import assert from "node:assert/strict";
import { Counter, Gauge, Histogram, Registry } from "./metrics.ts";

Deno.test("metrics render in the Prometheus text format", () => {
  const r = new Registry();
  const c = r.add(new Counter("x_total", "Things."));
  c.inc({ verb: "apply", outcome: "ok" });
  c.inc({ verb: "apply", outcome: "ok" }, 2);
  r.add(new Gauge("depth", "Depth.", () => [{ value: 4 }]));
  const h = r.add(new Histogram("d_seconds", "Durations.", [0.1, 1]));
  h.observe(0.05);
  h.observe(0.5);
  h.observe(5);
  assert.equal(
    r.render(),
    [
      "# HELP x_total Things.",
      "# TYPE x_total counter",
      'x_total{verb="apply",outcome="ok"} 3',
      "# HELP depth Depth.",
      "# TYPE depth gauge",
      "depth 4",
      "# HELP d_seconds Durations.",
      "# TYPE d_seconds histogram",
      'd_seconds_bucket{le="0.1"} 1',
      'd_seconds_bucket{le="1"} 2',
      'd_seconds_bucket{le="+Inf"} 3',
      "d_seconds_sum 5.55",
      "d_seconds_count 3",
      "",
    ].join("\n"),
  );
});
