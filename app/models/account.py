"""User accounts, API tokens and sign-in attempts."""

from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlmodel import Field, Relationship, SQLModel

from app.models.base import EnumString, UTCDateTime, one_of, utcnow
from app.models.enums import RegistrationStatus, UserRole

if TYPE_CHECKING:
    from app.models.organisation import Cooperative, Enterprise
    from app.models.region import Village


class User(SQLModel, table=True):
    """A person who signs in: staff of one organisation, a bureau officer, or an admin."""

    __tablename__ = "users"
    __table_args__ = (
        one_of("role", UserRole),
        one_of("status", RegistrationStatus),
        # Exactly the link the role needs, and no other.
        sa.CheckConstraint(
            "(role = 'enterprise') = (enterprise_id IS NOT NULL)", name="enterprise_link"
        ),
        sa.CheckConstraint(
            "(role = 'cooperative') = (cooperative_id IS NOT NULL)", name="cooperative_link"
        ),
        sa.CheckConstraint("(role = 'village') = (village_id IS NOT NULL)", name="village_link"),
        sa.CheckConstraint("(role = 'bureau') = (region_code IS NOT NULL)", name="bureau_region"),
        sa.CheckConstraint("auth_version >= 1", name="auth_version_positive"),
    )

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=40, unique=True)
    display_name: str = Field(max_length=40)
    phone: str = Field(default="", max_length=20)
    password_hash: str = Field(max_length=200)
    role: UserRole = Field(sa_type=EnumString(UserRole))
    enterprise_id: int | None = Field(default=None, foreign_key="enterprises.id", index=True)
    cooperative_id: int | None = Field(default=None, foreign_key="cooperatives.id", index=True)
    village_id: int | None = Field(default=None, foreign_key="villages.id", index=True)
    region_code: str | None = Field(default=None, max_length=6)
    status: RegistrationStatus = Field(
        default=RegistrationStatus.approved, sa_type=EnumString(RegistrationStatus)
    )
    status_reason: str = Field(default="", max_length=200)
    is_active: bool = Field(default=True)
    # Bumped when the password changes: every session signed with an older value is refused.
    auth_version: int = Field(default=1)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_login_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Consent to the personal-information notice (/privacy) given at registration, and which
    # version of it; empty for accounts an operator created (migration 0015).
    privacy_consent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    privacy_notice_version: str = Field(
        default="", max_length=20, sa_column_kwargs={"server_default": ""}
    )
    # Two-factor sign-in (docs/decisions/0035): the TOTP secret sealed under the secret key
    # (app/services/totp.py), never shown again once enrolled; empty when not enrolled.
    totp_secret: str = Field(default="", max_length=200, sa_column_kwargs={"server_default": ""})
    totp_enabled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # The last time step whose code was accepted: a code counts once.
    totp_last_step: int = Field(default=0, sa_column_kwargs={"server_default": "0"})

    enterprise: "Enterprise" = Relationship()
    cooperative: "Cooperative" = Relationship()
    village: "Village" = Relationship()


class ApiToken(SQLModel, table=True):
    """A bearer token for GraphQL clients; only its SHA-256 digest is stored."""

    __tablename__ = "api_tokens"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True)
    name: str = Field(max_length=60)
    token_digest: str = Field(max_length=64, unique=True)
    prefix: str = Field(max_length=12)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # Recorded at most every few minutes (app/services/api_tokens.py), not on every request.
    last_used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Chosen at creation; a token without one is refused like an unknown token.
    expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class UserSession(SQLModel, table=True):
    """A signed-in browser: the session cookie carries its random key, the table its digest.

    Signing out, "sign out everywhere" and a password change set ``revoked_at``; a copied cookie
    then names a revoked row and is refused (docs/decisions/0017-sessions-and-tokens.md).
    """

    __tablename__ = "user_sessions"

    id: int | None = Field(default=None, primary_key=True)
    key_digest: str = Field(max_length=64, unique=True)
    user_id: int = Field(foreign_key="users.id", index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # Recorded at most every few minutes (app/services/user_sessions.py).
    last_seen_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    client_address: str = Field(default="", max_length=64)
    user_agent: str = Field(default="", max_length=200)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class RecoveryCode(SQLModel, table=True):
    """One of the ten single-use codes that stand in for an authenticator; only a keyed digest
    is stored (app/services/totp.py: recovery_digest)."""

    __tablename__ = "recovery_codes"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True)
    code_digest: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class OrganisationClaim(SQLModel, table=True):
    """A pending account's claim on an organisation already in the directory (seeded, imported or
    registered by someone else), with the proof it uploaded (营业执照 or 授权书: PDF, JPG or PNG,
    stored like report evidence). The account is linked to the organisation but acts for it only
    once the organisation's county bureau approves (docs/decisions/0035)."""

    __tablename__ = "organisation_claims"
    __table_args__ = (sa.CheckConstraint("size_bytes > 0", name="size_positive"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", unique=True)
    filename: str = Field(max_length=200)
    content_type: str = Field(max_length=100)
    size_bytes: int
    sha256: str = Field(max_length=64)
    storage_key: str = Field(max_length=200, unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Invitation(SQLModel, table=True):
    """An invitation code for an organisation (or village) in the directory without an account:
    the county bureau prints or sends it, the organisation's staff set up an account with it
    (``/invite``). Only a keyed digest of the code is kept; single use, expiring, revocable."""

    __tablename__ = "invitations"
    __table_args__ = (
        sa.CheckConstraint(
            "(CASE WHEN enterprise_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN cooperative_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN village_id IS NULL THEN 0 ELSE 1 END) = 1",
            name="one_organisation",
        ),
        sa.Index("ix_invitations_county_created", "county_code", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    enterprise_id: int | None = Field(default=None, foreign_key="enterprises.id", index=True)
    cooperative_id: int | None = Field(default=None, foreign_key="cooperatives.id", index=True)
    village_id: int | None = Field(default=None, foreign_key="villages.id", index=True)
    county_code: str = Field(max_length=6)
    code_digest: str = Field(max_length=64, unique=True)
    created_by: int | None = Field(default=None, foreign_key="users.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    used_by: int | None = Field(default=None, foreign_key="users.id")
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class LoginAttempt(SQLModel, table=True):
    """One failed sign-in, kept in the database so throttling holds across processes."""

    __tablename__ = "login_attempts"
    __table_args__ = (sa.Index("ix_login_attempts_key_time", "key", "attempted_at"),)

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=80)
    attempted_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class PasswordReset(SQLModel, table=True):
    """A one-time way back into an account whose password is lost: a code an officer hands over
    (``kind`` code) or a link mailed to the account's address (``kind`` link).

    Only the SHA-256 digest of the secret is kept; it works once (``used_at``), until
    ``expires_at``, and issuing a new one retires the older ones of the same account
    (docs/decisions/0034-user-administration-and-recovery.md).
    """

    __tablename__ = "password_resets"
    __table_args__ = (sa.CheckConstraint("kind IN ('code', 'link')", name="reset_kind"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True)
    kind: str = Field(max_length=8)
    secret_digest: str = Field(max_length=64, unique=True)
    # The officer who issued a code; empty for a link the user asked for.
    issued_by_id: int | None = Field(default=None, foreign_key="users.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
