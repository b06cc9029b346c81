"""Stand-in for `frappe.utils` (see the package docstring): nothing else lives here."""
