"""The HTTP API and the pages (`repairdesk serve`): FastAPI, Jinja2 templates and htmx."""
