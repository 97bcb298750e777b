"""Who may do what: pure predicates and query scopes, called by the services.

Predicates take the actor and the facts they need (a county code, an owner id) and return a bool;
they never touch the database. Services call ``require`` with them before writing anything, so a
refusal leaves no row, no event and no outbox entry. GraphQL permission classes and page handlers
only wrap these; a rule written anywhere else is a bug.

The rules are split by domain into the modules of this package: ``base`` (``require``, its
message and who the actor is), ``accounts``, ``contacts``, ``pairing``, ``trade`` and ``scopes``
(the SQL twins of the row predicates). Every public name is re-exported here, so callers import from
``app.permissions`` alone and the rules still read as one module; import from here, not from the
submodules.
"""

from app.permissions.accounts import (
    can_edit_enterprise,
    can_manage_users,
    can_read_events,
    can_register_directly,
    can_review_registration,
    can_see_registration,
    can_see_review_outcome,
)
from app.permissions.base import (
    DENIED_MESSAGE,
    is_bureau_for,
    is_city_bureau,
    is_system,
    require,
)
from app.permissions.contacts import (
    Party,
    acts_for_approved_organisation,
    can_reveal_contact,
    can_see_contact,
)
from app.permissions.pairing import (
    can_complete_agreement,
    can_confirm_report,
    can_create_village,
    can_edit_village_profile,
    can_file_agreement,
    can_list_agreements,
    can_plan_coverage,
    can_plan_for_county,
    can_propose_agreement,
    can_recommend_for_enterprise,
    can_recommend_for_village,
    can_review_pairing,
    can_revise_proposal,
    can_see_agreement,
    can_see_enterprise,
    can_see_private_village_data,
    can_sign_agreement,
    can_submit_report,
    can_terminate_agreement,
    can_verify_report,
    can_withdraw_agreement,
    is_enterprise_staff,
    is_village_staff,
)
from app.permissions.scopes import (
    agreement_scope,
    bureau_county_scope,
    cooperative_scope,
    demand_scope,
    enterprise_scope,
    order_scope,
    product_scope,
)
from app.permissions.trade import (
    can_buy,
    can_certify_product,
    can_create_product,
    can_manage_product,
    can_review_certifications,
    can_review_prices,
    can_see_cooperative,
    can_see_demand,
    can_see_order,
    can_see_product,
    can_see_reserved_share,
    can_view_consumption,
    can_view_statistics,
    is_buyer,
)

__all__ = [
    "DENIED_MESSAGE",
    "Party",
    "acts_for_approved_organisation",
    "agreement_scope",
    "bureau_county_scope",
    "can_buy",
    "can_certify_product",
    "can_complete_agreement",
    "can_confirm_report",
    "can_create_product",
    "can_create_village",
    "can_edit_enterprise",
    "can_edit_village_profile",
    "can_file_agreement",
    "can_list_agreements",
    "can_manage_product",
    "can_manage_users",
    "can_plan_coverage",
    "can_plan_for_county",
    "can_propose_agreement",
    "can_read_events",
    "can_recommend_for_enterprise",
    "can_recommend_for_village",
    "can_register_directly",
    "can_reveal_contact",
    "can_review_certifications",
    "can_review_pairing",
    "can_review_prices",
    "can_review_registration",
    "can_revise_proposal",
    "can_see_agreement",
    "can_see_contact",
    "can_see_cooperative",
    "can_see_demand",
    "can_see_enterprise",
    "can_see_order",
    "can_see_private_village_data",
    "can_see_product",
    "can_see_registration",
    "can_see_reserved_share",
    "can_see_review_outcome",
    "can_sign_agreement",
    "can_submit_report",
    "can_terminate_agreement",
    "can_verify_report",
    "can_view_consumption",
    "can_view_statistics",
    "can_withdraw_agreement",
    "cooperative_scope",
    "demand_scope",
    "enterprise_scope",
    "is_bureau_for",
    "is_buyer",
    "is_city_bureau",
    "is_enterprise_staff",
    "is_system",
    "is_village_staff",
    "order_scope",
    "product_scope",
    "require",
]
