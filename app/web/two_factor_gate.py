"""Staff must enrol first: where ``CUNQI_REQUIRE_TOTP_FOR_STAFF`` holds (production by default),
a bureau or admin account signed in without two-factor sign-in is sent to enrol before any other
page. API tokens are not held back (docs/decisions/0035)."""

from starlette.responses import JSONResponse, RedirectResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from app.services import two_factor

ENROL_PATH = "/account/two-factor"
# What such a user may still open: enrolment, signing out, and what pages need to load.
OPEN_PREFIXES = (ENROL_PATH, "/logout", "/static/", "/healthz", "/readyz", "/privacy")


class TwoFactorGate:
    def __init__(self, app: ASGIApp, *, required: bool):
        self.app = app
        self.required = required

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = scope.get("state", {})
        path = scope.get("path", "")
        held = (
            state.get("auth_method") == "session"
            and two_factor.must_enrol(state.get("user"), required=self.required)
            and not path.startswith(OPEN_PREFIXES)
        )
        if not held:
            await self.app(scope, receive, send)
            return
        if path.startswith("/graphql"):
            response = JSONResponse(
                {"errors": [{"message": "请先在“我的账号”开启两步验证"}]}, status_code=403
            )
        else:
            response = RedirectResponse(ENROL_PATH, status_code=303)
        await response(scope, receive, send)
