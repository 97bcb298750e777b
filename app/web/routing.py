"""The pages' routes: every URL the page adapter answers, in the order Starlette matches them.

The composition root (app/asgi.py) mounts these beside ``/graphql``.
"""

from starlette.routing import BaseRoute, Route

from app.web import (
    accounts,
    bureau_routes,
    contacts,
    inbox_routes,
    pairing_routes,
    registration,
    trade_routes,
)
from app.web.health import healthz
from app.web.home import home


def page_routes() -> list[BaseRoute]:
    """The routes of every page, health check included."""
    return [
        Route("/", home, name="home"),
        Route("/healthz", healthz, name="healthz"),
        Route("/login", accounts.login, methods=["GET", "POST"], name="login"),
        Route("/logout", accounts.logout, methods=["POST"], name="logout"),
        Route("/account", accounts.account, name="account"),
        Route("/account/password", accounts.change_password, methods=["POST"]),
        Route("/account/tokens", accounts.create_token, methods=["POST"]),
        Route("/account/tokens/{token_id:id}/revoke", accounts.revoke_token, methods=["POST"]),
        Route(
            "/account/sessions/{session_id:id}/revoke", accounts.revoke_session, methods=["POST"]
        ),
        Route("/account/sessions/revoke-all", accounts.sign_out_everywhere, methods=["POST"]),
        Route("/register", registration.choose, name="register"),
        Route("/register/{kind}", registration.register, methods=["GET", "POST"]),
        Route("/registrations", registration.review_list, name="registrations"),
        Route(
            "/registrations/{user_id:id}/{decision:str}",
            registration.review,
            methods=["POST"],
        ),
        Route("/privacy", contacts.privacy_notice, name="privacy"),
        Route("/contacts/{party:str}/{party_id:id}/reveal", contacts.reveal, methods=["POST"]),
        *pairing_routes.ROUTES,
        *trade_routes.ROUTES,
        *inbox_routes.ROUTES,
        *bureau_routes.ROUTES,
    ]
