"""Stand-in for the `frappe` package, used only by frappe-op's loadtest tests.

This is NOT Frappe. It provides just enough of `frappe.utils.background_jobs`
(and of the scheduler's `run_scheduled_job`) for a real RQ worker to execute
the jobs that `frappe-op loadtest` enqueues (and that `frappe.enqueue` would
enqueue), without a database or a site.
"""
