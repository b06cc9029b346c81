"""Enqueue N Frappe-format jobs with RQ's own Queue.enqueue_call (as frappe.enqueue does).

Usage: enqueue_rq.py REDIS_URL BENCH_ID N FRAPPE_VERSION
Prints JSON {"jobs": N, "seconds": S}. Run in a venv of hack/python-env.sh with
tests/frappe_standin on PYTHONPATH (it provides execute_job for v15's func object).
"""
import json
import sys
import time
import uuid

import redis
from rq import Callback, Queue

from frappe.utils import background_jobs as bj

url, bench_id, n, version = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
queue = Queue(f"{bench_id}:short", connection=redis.Redis.from_url(url))
method = "frappe.utils.background_jobs.test_job"
func = bj.execute_job if version == "15" else "frappe.utils.background_jobs.execute_job"
sep = "::" if version == "15" else "||"

start = time.perf_counter()
for _ in range(n):
    queue_args = {"site": "site1.local", "user": "Administrator", "method": method,
                  "event": None, "job_name": method, "is_async": True, "kwargs": {"s": 1}}
    queue.enqueue_call(func, on_failure=Callback(func=bj.truncate_failed_registry), timeout=300,
                       kwargs=queue_args, at_front=False, failure_ttl=604800, result_ttl=600,
                       job_id=f"site1.local{sep}{uuid.uuid4()}")
print(json.dumps({"jobs": n, "seconds": time.perf_counter() - start}))
