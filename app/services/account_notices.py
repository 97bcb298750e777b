"""Who hears of the accounts domain's actions (registration, review, sessions, tokens, mail,
personal data purged)."""

from sqlmodel import Session

from app.models import User
from app.models.enums import RecipientKind as K
from app.services.notice_rules import NOBODY, Notices, Parties, notice

ACTIONS = {
    "account.register": NOBODY,
    # A claim, like a registration, is the county bureau's to-do (the ``registrations`` kind).
    "account.claim": NOBODY,
    # Invitation codes: made in bulk (told to nobody, decision 0022), revoked, regenerated and
    # accepted; the bureau that made them sees them on /invitations and in the audit trail.
    "invitation.create": NOBODY,
    "invitation.revoke": NOBODY,
    "invitation.regenerate": NOBODY,
    "invitation.accept": NOBODY,
    "account.approve": notice("注册申请已通过", K.user),
    "account.reject": notice("注册申请未通过", K.user),
    "account.create": NOBODY,
    "account.change_password": NOBODY,
    "account.enable_two_factor": NOBODY,
    # The owner is the actor of these (nobody is told of their own action); the audit rows and
    # the account page's count of recovery codes left are where they show.
    "account.disable_two_factor": NOBODY,
    "account.use_recovery_code": NOBODY,
    # User administration and password recovery (app.services.user_admin, password_resets).
    "account.deactivate": NOBODY,
    "account.reactivate": NOBODY,
    "account.reassign": NOBODY,
    "account.issue_reset_code": NOBODY,
    "account.request_reset": NOBODY,
    "account.reset_password": NOBODY,
    "session.revoke": NOBODY,
    "session.revoke_all": NOBODY,
    "api_token.create": NOBODY,
    "api_token.revoke": NOBODY,
    "mail.subscribe": NOBODY,
    "mail.unsubscribe": NOBODY,
    # Personal data past its keeping period purged (app.services.retention): one summary row of
    # no single object, which it writes itself.
    "retention.purge": NOBODY,
}


def _user(session: Session, user: User) -> Parties:
    return Parties({K.user: user.id}, "/account")


NOTICES = Notices(ACTIONS, {User: _user})
