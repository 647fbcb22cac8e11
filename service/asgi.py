"""ASGI entry point for servers (`uvicorn clinkg.service.asgi:app`); settings come from CLINKG_ variables.

Nothing is opened here: the store is opened by the app's lifespan when the server starts it.
"""

from clinkg.service.api.app import create_app

app = create_app()
