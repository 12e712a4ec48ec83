"""h4s as a jupyter_server extension: the book, its grading API, the trainer dashboard and the learner-safe
kernel channel, in the same server as Voilà's live pages.

Load it with ``--ServerApp.jpserver_extensions='{"h4s_kit.server": true, "voila": true}'`` (``h4s serve``
does, see :mod:`h4s_kit.server.app`); settings are ``H4SConfig.*`` (:mod:`h4s_kit.server.config`).
One handler per file:

=====================  ==========================================================
``book_files``         the built book, precompressed, keyless pages
``quiz``               ``POST <book>/api/quiz/check`` and ``/solution``
``code_run``           a code exercise's check on the fair sandbox queue
``trainer``            ``<book>/trainer/<token>/``
``kernel_shutdown``    a live page's "closed" beacon (own kernels only)
``home``               ``/live/`` to the book; pages not offered to learners (400)
``errors``             JSON errors; addresses with control characters (400)
=====================  ==========================================================

The server-wide parts (``ServerApp`` traits, set by ``h4s serve`` or a config file):
``identity_provider.H4SIdentityProvider``, ``authorizer.H4SAuthorizer``,
``kernel_connection.H4SKernelConnection`` and ``h4s_kit.live.H4SKernelManager``.
"""
from __future__ import annotations


def _jupyter_server_extension_points():
    return [{"module": "h4s_kit.server"}]


def _load_jupyter_server_extension(serverapp) -> None:
    from ._extension import load
    load(serverapp)
