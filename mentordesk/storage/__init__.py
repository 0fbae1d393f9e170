"""Persistence: SQLAlchemy models, the SQLite engine, migrations, backups and repositories.

Nothing here imports Qt. SQLite specifics (pragmas, FTS5, the backup API) stay inside this
package so the services above could run against another SQL database.
"""
