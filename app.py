"""Start the WSIS Assistant app: ``python app.py [--host H] [--port P]``.

Settings come from ``WSIS_*`` environment variables (see assistant/settings.py); the app binds
127.0.0.1 unless told otherwise and never opens a public share link.
"""

from __future__ import annotations

import argparse

from assistant.core import Assistant
from assistant.settings import Settings
from assistant.ui import build


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", help="Address to bind (default 127.0.0.1).")
    parser.add_argument("--port", type=int, help="Port (default 7860).")
    args = parser.parse_args()
    overrides = {k: v for k, v in (("host", args.host), ("port", args.port)) if v}
    settings = Settings(**overrides)
    assistant = Assistant(settings).warm_up()
    auth = (settings.auth_username, settings.auth_password) if settings.auth_password else None
    build(assistant).launch(
        server_name=settings.host, server_port=settings.port, auth=auth, share=False
    )


if __name__ == "__main__":
    main()
