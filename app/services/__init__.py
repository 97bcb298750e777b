"""The service layer: every business rule, permission check, audit event and outbox row."""
