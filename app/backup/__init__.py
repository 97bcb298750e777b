"""Backups (``cunqi backup``) and restores (``cunqi restore``): one tar.gz archive.

The archive holds ``manifest.json`` (versions, migration head, per-table row counts and content
checksums, per-file checksums), the database (SQLite: a copy made with SQLite's online backup API;
PostgreSQL: ``pg_dump`` in custom format, taken in the same snapshot as the checksums),
``uploads/`` (evidence and product photos; ledger exports are left out, they can be made again)
and ``config/secret_key`` (objection contact digests are keyed with it: without it a restored
site no longer recognises a repeated objection). The search index is not kept: a restore
rebuilds it. See docs/operations.md and docs/decisions/0028-durable-background-work.md.
"""

from app.backup.archive import BackupError, Report
from app.backup.create import create_backup
from app.backup.fingerprints import table_fingerprints, upload_files
from app.backup.restore import installation_problems, read_manifest, restore_backup

__all__ = [
    "BackupError",
    "Report",
    "create_backup",
    "installation_problems",
    "read_manifest",
    "restore_backup",
    "table_fingerprints",
    "upload_files",
]
