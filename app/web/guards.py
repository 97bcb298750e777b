"""Page-level sign-in checks; the permission rules themselves live in app/permissions/."""

from urllib.parse import quote

from starlette.exceptions import HTTPException
from starlette.requests import Request

from app.actors import Role
from app.http import current_actor
from app.web.forms import redirect
from app.web.redirects import same_site_path


def login_redirect(request: Request):
    """Send an anonymous visitor to sign in, and back here afterwards."""
    target = same_site_path(
        request.url.path + (f"?{request.url.query}" if request.url.query else ""), ""
    )
    return redirect(f"/login?next={quote(target)}" if target else "/login")


def require_role(request: Request, *roles: Role) -> None:
    """403 unless the signed-in actor has one of ``roles`` (callers check sign-in first)."""
    if current_actor(request).role not in roles:
        raise HTTPException(403)
