"""Stand-in for `frappe.core` (see the package docstring): only the scheduler's job runner."""
