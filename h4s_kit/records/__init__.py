"""Learner records: the store (SQLite, or PostgreSQL with H4S_DATABASE_URL), xAPI statements, LRS sender,
GDPR tools, import of browser results.

Import the submodules directly (``from h4s_kit.records.store import RecordStore``); this package
imports nothing heavy so that ``h4s --help`` stays quick.
"""
