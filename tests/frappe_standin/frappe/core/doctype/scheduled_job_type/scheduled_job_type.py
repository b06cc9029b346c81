"""Stand-in for Frappe's `scheduled_job_type` module (NOT Frappe's code).

Only `run_scheduled_job`, the function Frappe's scheduler enqueues for a due
Scheduled Job Type. The stand-in has no site, hence no Scheduled Job Types: it
does what Frappe's own function does for a job type that does not exist, which
is what `frappe-op loadtest --scenario daily-report` names: it reports the job
type as not found (Frappe prints the traceback) and returns, so the job ends
finished having run nothing.
"""


def run_scheduled_job(scheduled_job_type=None, job_type=None):
    """Frappe v15 calls it with `job_type` (the method), v16 also with `scheduled_job_type` (the name)."""
    print(f"Scheduled Job Type {scheduled_job_type or job_type} not found (the stand-in has none)")
