"""The 劳务协作 domain's events: every concern subscribed to ``DomainEvent`` sees them (the audit
row, the notification decision, the to-do signal)."""

from dataclasses import dataclass

from app.models.labour import JobPosting, LabourApplication, LabourSupply
from app.services.domain_events import DomainEvent


@dataclass(frozen=True, slots=True, kw_only=True)
class SupplyEvent(DomainEvent):
    """A village published, edited or withdrew a group of available workers."""

    obj: LabourSupply


@dataclass(frozen=True, slots=True, kw_only=True)
class PostingEvent(DomainEvent):
    """An organisation published, edited or closed a job posting."""

    obj: JobPosting


@dataclass(frozen=True, slots=True, kw_only=True)
class ApplicationEvent(DomainEvent):
    """A village's application moved: applied, interviewed, hired, declined, withdrawn, or its
    stable-employment check was confirmed."""

    obj: LabourApplication
