"""Stand-in for `frappe.utils.background_jobs` (NOT Frappe's code).

`execute_job` keeps the signature of Frappe's (v14..v16): RQ calls it with the
kwargs `frappe.enqueue` stores in the job. Instead of connecting to a site it
resolves `method` by dotted path, calls it with `**kwargs`, and records the
call as one JSON line in the file named by the env variable
`FRAPPE_STANDIN_LOG` (when set), so a test can check what ran, with which
arguments, under which RQ job id.
"""

import importlib
import json
import os
import time


def _resolve(dotted):
    module_name, _, attr = dotted.rpartition(".")
    return getattr(importlib.import_module(module_name), attr)


def _current_job_id():
    try:
        from rq import get_current_job
    except ImportError:
        return None
    job = get_current_job()
    return job.id if job else None


def _record(entry):
    path = os.environ.get("FRAPPE_STANDIN_LOG")
    if not path:
        return
    with open(path, "a", encoding="utf-8") as log:
        log.write(json.dumps(entry, sort_keys=True) + "\n")
        log.flush()
        os.fsync(log.fileno())


def execute_job(site, method, event, job_name, kwargs, user=None, is_async=True, retry=0):
    """Runs `method(**kwargs)` the way Frappe's worker would, minus the site."""
    func = _resolve(method) if isinstance(method, str) else method
    entry = {
        "job_id": _current_job_id(),
        "site": site,
        "method": method if isinstance(method, str) else repr(method),
        "event": event,
        "job_name": job_name,
        "kwargs": kwargs,
        "user": user,
        "is_async": is_async,
        "retry": retry,
        "pid": os.getpid(),
        "started": time.time(),
    }
    _record(dict(entry, phase="start"))
    result = func(**kwargs)
    _record(dict(entry, phase="end", ended=time.time()))
    return result


def test_job(s):
    """Sleeps `s` seconds, like Frappe's own `test_job`."""
    time.sleep(s)


def truncate_failed_registry(job, connection, type, value, traceback):
    """Failure callback Frappe attaches to every job; the stand-in keeps all failures."""
    return None
