"""A probe that counts slow work done while a write unit of work is open (decision 0016).

Installed by a test (never by production code), it wraps ``Database.unit_of_work`` to know, per
thread, when a writer is open, and wraps each slow function — argon2 hashing and verification,
Pillow decoding, the import's XLSX and CSV parsing and its row checks, ``os.fsync`` (evidence
files) — to count its calls and the calls made while that thread held a writer. Stricter than the
write lock itself: work done inside the writer before its first statement (before SQLite's BEGIN
IMMEDIATE) counts too.
"""

import csv
import os
import threading
from collections import Counter
from contextlib import contextmanager

import argon2
from PIL import Image

from app.db import Database
from app.services.imports import cells, records


class SlowWorkProbe:
    def __init__(self, monkeypatch):
        self.calls: Counter[str] = Counter()
        self.inside_writer: Counter[str] = Counter()
        self.writers = 0
        self._local = threading.local()
        self._lock = threading.Lock()
        original = Database.unit_of_work

        @contextmanager
        def unit_of_work(database):
            depth = getattr(self._local, "depth", 0)
            self._local.depth = depth + 1
            with self._lock:
                self.writers += 1
            try:
                with original(database) as session:
                    yield session
            finally:
                self._local.depth = depth

        monkeypatch.setattr(Database, "unit_of_work", unit_of_work)
        wrap = self._wrap
        monkeypatch.setattr(
            argon2.PasswordHasher, "hash", wrap("argon2", argon2.PasswordHasher.hash)
        )
        monkeypatch.setattr(
            argon2.PasswordHasher, "verify", wrap("argon2", argon2.PasswordHasher.verify)
        )
        monkeypatch.setattr(Image, "open", wrap("pillow", Image.open))
        monkeypatch.setattr(os, "fsync", wrap("fsync", os.fsync))
        monkeypatch.setattr(cells, "load_workbook", wrap("openpyxl", cells.load_workbook))
        monkeypatch.setattr(csv, "reader", wrap("csv", csv.reader))
        for kind, check in list(records.CHECKERS.items()):
            monkeypatch.setitem(records.CHECKERS, kind, wrap("row check", check))

    def _wrap(self, name, function):
        def counted(*args, **kwargs):
            with self._lock:
                self.calls[name] += 1
                if getattr(self._local, "depth", 0):
                    self.inside_writer[name] += 1
            return function(*args, **kwargs)

        return counted

    def reset(self) -> None:
        self.calls.clear()
        self.inside_writer.clear()
        self.writers = 0
