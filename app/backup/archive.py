"""What every part of the backup shares: names inside the archive, the error, the audit event."""

import logging
from dataclasses import dataclass
from pathlib import Path

from app.actors import SYSTEM
from app.config import Settings
from app.db import Database, create_db_engine
from app.models import Event

log = logging.getLogger("app.backup")

FORMAT = 1
MANIFEST = "manifest.json"
SECRET = "config/secret_key"
UPLOADS = "uploads"


class BackupError(Exception):
    """A backup or restore that cannot go on; the message is for the operator (Chinese)."""


@dataclass(slots=True)
class Report:
    archive: Path
    manifest: dict
    warnings: list[str]


def audit(settings: Settings, action: str, name: str, summary: str) -> None:
    """Record the system actor's backup or restore as an event (and log it)."""
    log.info("%s %s: %s", action, name, summary)
    database = Database(create_db_engine(settings.database_url))
    try:
        with database.unit_of_work() as session:
            session.add(
                Event(
                    actor_id=SYSTEM.user_id,
                    actor_label=SYSTEM.label,
                    action=action,
                    object_type="Backup",
                    object_id=name[:100],
                    summary=summary[:500],
                )
            )
    finally:
        database.dispose()
