"""Backup and restore: the database and every evidence object, with a verifiable manifest.

- :func:`create_backup` writes a new folder: the database (``pg_dump -Fc``, or SQLite's
  online backup API), every object its stored-file rows name, and ``manifest.json``;
- :func:`verify_backup` re-hashes the folder against its manifest;
- :func:`restore_backup` puts a verified backup into an empty database and an empty store.

Like the services, nothing here reads the clock or the request, and nothing commits: the
commands pass the time, the database URL and the storage in, and write the audit events.
"""

from __future__ import annotations

from dispatch.backup.create import Created, create_backup
from dispatch.backup.manifest import BackupError, Manifest, VerifyReport, verify_backup
from dispatch.backup.restore import Restored, restore_backup

__all__ = [
    "BackupError",
    "Created",
    "Manifest",
    "Restored",
    "VerifyReport",
    "create_backup",
    "restore_backup",
    "verify_backup",
]
