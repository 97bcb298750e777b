"""The page adapter: Starlette routes that call services and render Jinja2 templates."""

# Registered before any route module compiles a ``{name:id}`` path.
from app.web import ids  # noqa: F401
