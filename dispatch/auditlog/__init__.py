"""Auditor area and audit-log tooling: the filtered log and its export (role auditor only),
categories such as 安全事件, and archiving events past the retention with their chain intact."""
