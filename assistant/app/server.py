"""Serving the app: the settings it runs with, the assistant warmed up, uvicorn on the
settings' host and port (127.0.0.1 unless told otherwise), the MCP server at the app's
``/gradio_api/mcp/``."""

from __future__ import annotations

import os

from assistant.api import Assistant
from assistant.app.ui import MCP_PATH, create_app
from assistant.app.uploads import with_uploads
from corpus.settings import Settings


def serve(settings: Settings) -> None:
    """Load the index and serve the app until stopped; raises the library's errors (no
    usable index) before anything listens."""
    import uvicorn

    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    settings = with_uploads(settings)
    assistant = Assistant(settings).warm_up()
    url = f"http://{settings.host}:{settings.port}"
    print(f"WSIS Assistant on {url}, MCP server at {url}{MCP_PATH}/", flush=True)
    uvicorn.run(create_app(assistant), host=settings.host, port=settings.port)
