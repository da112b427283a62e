"""Start the WSIS Assistant app: ``python app.py [--host H] [--port P] [--index-dir DIR]``,
the same as ``wsis serve``.

Settings come from ``WSIS_*`` environment variables (see corpus/settings.py) with these flags
on top. The app binds 127.0.0.1 unless told otherwise, asks for a login when
``WSIS_AUTH_PASSWORD`` is set, sends no analytics and never opens a public share link.
Uploaded files are kept in ``uploads/`` beside the index folder, which the app adds to its
corpus folders.
"""

from __future__ import annotations

import sys


def main() -> None:
    # Imported here, not above: every worker that parses an upload imports this module
    # again (multiprocessing does so with the main module), and the app takes seconds.
    from assistant.cli import main as wsis

    wsis(["serve", *sys.argv[1:]], prog_name="app.py")


if __name__ == "__main__":
    main()
