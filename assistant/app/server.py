"""Serving the app: the settings it runs with, the assistant warmed up, uvicorn on the
settings' host and port (127.0.0.1 unless told otherwise)."""

from __future__ import annotations

import os

from assistant.api import Assistant
from assistant.app.ui import create_app
from assistant.app.uploads import with_uploads
from corpus.settings import Settings


def serve(settings: Settings) -> None:
    """Load the index and serve the app until stopped; raises the library's errors (no
    usable index) before anything listens."""
    import uvicorn

    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    settings = with_uploads(settings)
    assistant = Assistant(settings).warm_up()
    print(f"WSIS Assistant on http://{settings.host}:{settings.port}", flush=True)
    uvicorn.run(create_app(assistant), host=settings.host, port=settings.port)
