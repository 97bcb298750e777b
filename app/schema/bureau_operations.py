"""The bureau-wide GraphQL fields: search, the audit trail, statistics, the to-do inbox,
notifications, public disclosure, ledger exports and bulk imports."""

from app.schema.audit import AuditQueries
from app.schema.data_operations import DataMutations, DataQueries
from app.schema.inbox import InboxMutations, InboxQueries
from app.schema.search import SearchQueries
from app.schema.stats import StatsQueries

QUERIES = (SearchQueries, AuditQueries, StatsQueries, InboxQueries, DataQueries)
MUTATIONS = (InboxMutations, DataMutations)
