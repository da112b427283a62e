"""Start the WSIS Assistant app: ``python app.py [--host H] [--port P] [--index-dir DIR]``.

Settings come from ``WSIS_*`` environment variables (see assistant/settings.py) with these
flags on top. The app binds 127.0.0.1 unless told otherwise, asks for a login when
``WSIS_AUTH_PASSWORD`` is set, sends no analytics and never opens a public share link.
Uploaded files are kept in ``uploads/`` beside the index folder, which the app adds to its
corpus folders.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path


def main() -> None:
    # Imported here, not above: every worker that parses an upload imports this module
    # again (multiprocessing does so with the main module), and Gradio takes seconds.
    from assistant.core import Assistant
    from assistant.services import with_uploads
    from assistant.ui import create_app
    from corpus.errors import IndexBusy, IndexMissing, IndexUnreachable, StaleIndex, WSISError
    from corpus.settings import Settings

    parser = argparse.ArgumentParser(description="Start the WSIS Assistant web app.")
    parser.add_argument("--host", help="Address to bind (default 127.0.0.1).")
    parser.add_argument("--port", type=int, help="Port (default 7860).")
    parser.add_argument("--index-dir", type=Path, help="Index folder (default .wsis/index).")
    parser.add_argument("--chroma-url", help="Chroma server to use instead of the local index.")
    args = parser.parse_args()
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    overrides = {k: v for k, v in vars(args).items() if v is not None}
    settings = with_uploads(Settings(**overrides))
    try:
        assistant = Assistant(settings).warm_up()
    except WSISError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        unavailable = IndexMissing | StaleIndex | IndexBusy | IndexUnreachable
        sys.exit(3 if isinstance(exc, unavailable) else 1)

    import uvicorn

    print(f"WSIS Assistant on http://{settings.host}:{settings.port}", flush=True)
    uvicorn.run(create_app(assistant), host=settings.host, port=settings.port)


if __name__ == "__main__":
    main()
