"""Routes of the accounts pages: signing in and out (with two-factor sign-in), the account page
(password, two-factor, tokens, sessions), registration, claims of organisations, invitation
codes, the bureau's review of registrations and claims, password recovery and user
administration."""

from starlette.routing import BaseRoute, Route

from app.actors import Role
from app.web import (
    accounts,
    claims,
    invitations,
    password_recovery,
    registration,
    two_factor,
    user_admin,
)
from app.web.navigation import menu

POST = ["POST"]

ROUTES: list[BaseRoute] = [
    Route("/login", accounts.login, methods=["GET", "POST"], name="login"),
    Route("/login/code", two_factor.login_code, methods=["GET", "POST"], name="login_code"),
    Route("/logout", accounts.logout, methods=POST, name="logout"),
    Route("/account", accounts.account, name="account"),
    Route("/account/password", accounts.change_password, methods=POST),
    Route("/account/two-factor", two_factor.enrolment, methods=["GET", "POST"]),
    Route("/account/two-factor/disable", two_factor.disable, methods=POST),
    Route("/account/tokens", accounts.create_token, methods=POST),
    Route("/account/tokens/{token_id:id}/revoke", accounts.revoke_token, methods=POST),
    Route("/account/sessions/{session_id:id}/revoke", accounts.revoke_session, methods=POST),
    Route("/account/sessions/revoke-all", accounts.sign_out_everywhere, methods=POST),
    Route("/register", registration.choose, name="register"),
    Route("/register/claim/{kind}", claims.claim, methods=["GET", "POST"]),
    Route("/register/{kind}", registration.register, methods=["GET", "POST"]),
    Route("/registrations", registration.review_list, name="registrations"),
    Route("/invitations", invitations.page, name="invitations"),
    Route("/invitations/generate", invitations.generate, methods=POST),
    Route("/invitations/{invitation_id:id}/revoke", invitations.revoke, methods=POST),
    Route("/invitations/{invitation_id:id}/regenerate", invitations.regenerate, methods=POST),
    Route("/invite", invitations.accept, methods=["GET", "POST"], name="invite"),
    Route("/registrations/{user_id:id}/proof", claims.proof, name="claim_proof"),
    Route("/registrations/{user_id:id}/{decision:str}", registration.review, methods=POST),
    *password_recovery.ROUTES,
    *user_admin.ROUTES,
]

MENU = (
    menu(Role.anonymous, 90, "登录", "/login"),
    menu(Role.anonymous, 91, "注册", "/register"),
    menu(Role.bureau, 50, "注册审核", "/registrations"),
    menu(Role.bureau, 90, "用户管理", "/users"),
    menu(Role.admin, 15, "用户管理", "/users"),
    menu(Role.admin, 20, "我的账号", "/account"),
)
