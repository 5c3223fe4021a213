"""Auditor area: the audit log (role auditor only)."""
