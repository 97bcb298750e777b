"""Paging for the pairing lists: the shared ``Page`` plus keeping a stale page number in range."""

from app.services.paging import PAGE_SIZE, Page, page_number

__all__ = ["PAGE_SIZE", "Page", "clamp", "page_number"]


def clamp(number: int, total: int, size: int = PAGE_SIZE) -> int:
    """``number`` moved into 1..last page, so a stale link still shows something."""
    return min(max(1, number), max(1, -(-total // size)))
