"""The page adapter: Starlette routes that call services and render Jinja2 templates."""
