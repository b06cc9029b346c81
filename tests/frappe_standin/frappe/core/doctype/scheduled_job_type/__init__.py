"""Stand-in for `frappe.core.doctype.scheduled_job_type` (see the package docstring)."""
