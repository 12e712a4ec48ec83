"""The settings of the h4s server extension (``H4SConfig`` in any jupyter_server config: a file, the
command line, or :class:`h4s_kit.server.app.H4SServer`)."""
from __future__ import annotations

import os
import secrets

from traitlets import Bool, Unicode, default
from traitlets.config import LoggingConfigurable


class H4SConfig(LoggingConfigurable):
    html_dir = Unicode("", config=True, help="the built book (_build/html); empty: no book, live pages only")
    modules_dir = Unicode("", config=True, help="the modules folder (default: the server's root_dir)")
    live_root = Unicode("", config=True,
                        help="the folder of the live pages that h4s set as the server's root_dir (_build/live: the "
                             "English modules and each language book's below LL/); a server started with another "
                             "root says so in its log")
    book_url = Unicode("", config=True,
                       help="where the book, the quiz API and the trainer dashboard are (default: the server's "
                            "base_url; h4s serve puts the book at / and jupyter_server with Voilà at /live/)")
    server_grading = Unicode("auto", config=True,
                             help="grade the book's quizzes on the server and serve pages without keys: "
                                  "auto (when the quiz runtime supports it), on, off")
    compress = Bool(True, config=True, help="serve the book's precompressed .gz files to clients that accept gzip")
    voila_static_dir = Unicode("", config=True,
                               help="where Voilà's static files are copied and precompressed once (default: h4s's "
                                    "cache folder; empty: Voilà serves them itself, uncompressed)")

    @default("voila_static_dir")
    def _voila_static_dir(self):
        import platformdirs
        return os.path.join(platformdirs.user_cache_dir("h4s"), "voila-static")
    trainer_token = Unicode(config=True, help="secret path part of the trainer dashboard (<book>/trainer/<token>/)")
    max_code_runs = Unicode("2", config=True, help="code checks at a time (sandboxed runs)")

    @default("trainer_token")
    def _trainer_token(self):
        return os.environ.get("H4S_TRAINER_TOKEN") or secrets.token_urlsafe(18)
