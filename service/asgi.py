"""ASGI entry point for servers; settings come from CLINKG_ variables. `clinkg serve` serves it with the
limits of service/server.py (URL and header sizes, read timeout, JSON errors); under the uvicorn command
the same limits need its protocol named too:

    uvicorn clinkg.service.asgi:app --http clinkg.service.asgi:Protocol --timeout-keep-alive 5

Nothing is opened here: the store is opened by the app's lifespan when the server starts it.
"""

from clinkg.service.api.app import create_app
from clinkg.service.server import protocol
from clinkg.service.settings import get_settings

app = create_app()
Protocol = protocol(get_settings())
