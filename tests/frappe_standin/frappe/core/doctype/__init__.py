"""Stand-in for `frappe.core.doctype` (see the package docstring)."""
