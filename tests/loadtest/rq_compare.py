"""Compares a job frappe-op wrote with the one RQ's own enqueue_call writes.

Usage: rq_compare.py REDIS_URL QUEUE_NAME OUR_JOB_ID FRAPPE_VERSION SITE METHOD KWARGS_JSON

Enqueues the call `frappe.enqueue(METHOD, queue=..., job_id=..., **KWARGS)`
makes (see frappe/utils/background_jobs.py) with RQ of this venv, under the same job
id but in the next Redis db, so nothing RQ writes can stand in for what we
wrote. Prints JSON: differences between the two job hashes (timestamps only
checked for format, `data` compared after unpickling), what RQ's Job.fetch
reads from our job, Queue.count, and `rq:queues` as we left it and as RQ did.
"""
import json
import pickle
import re
import sys
import zlib

import redis
from rq import Callback, Queue
from rq.job import Job

from frappe.utils import background_jobs as bj

url, qname, our_id, version, site, method, kwargs = sys.argv[1:8]
conn = redis.Redis.from_url(url)
ours_kwargs = conn.connection_pool.connection_kwargs
ref_conn = redis.Redis(**{**ours_kwargs, "db": ours_kwargs.get("db", 0) + 1})
queue = Queue(qname, connection=conn)
queue_args = {"site": site, "user": "Administrator", "method": method, "event": None,
              "job_name": method, "is_async": True, "kwargs": json.loads(kwargs)}
timeout = 1500 if qname.endswith(":long") else 300
func = bj.execute_job if version == "15" else "frappe.utils.background_jobs.execute_job"
Queue(qname, connection=ref_conn).enqueue_call(
    func, on_failure=Callback(func=bj.truncate_failed_registry), timeout=timeout,
    kwargs=queue_args, at_front=False, failure_ttl=7 * 24 * 60 * 60, result_ttl=600,
    job_id=our_id)

ref = ref_conn.hgetall(f"rq:job:{our_id}")
ours = conn.hgetall(f"rq:job:{our_id}")
diffs = []
for key in sorted(set(ref) | set(ours)):
    a, b = ref.get(key), ours.get(key)
    if key in (b"created_at", b"enqueued_at"):
        if not b or not re.fullmatch(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", b):
            diffs.append(f"{key.decode()}: bad timestamp {b!r}")
    elif key == b"data":
        if pickle.loads(zlib.decompress(a)) != pickle.loads(zlib.decompress(b)):
            diffs.append("data differs")
    elif a != b:
        diffs.append(f"{key.decode()}: rq={a!r} ours={b!r}")

job = Job.fetch(our_id, connection=conn)
print(json.dumps({
    "diffs": diffs,
    "fetch": {"func_name": job.func_name, "kwargs": job.kwargs, "args": list(job.args),
              "timeout": job.timeout, "origin": job.origin, "status": str(job.get_status()),
              "result_ttl": job.result_ttl, "failure_ttl": job.failure_ttl,
              "description": job.description},
    "count": queue.count,
    "job_ids": queue.job_ids,
    "queues": sorted(k.decode() for k in conn.smembers("rq:queues")),
    "rq_queues": sorted(k.decode() for k in ref_conn.smembers("rq:queues")),
}))
