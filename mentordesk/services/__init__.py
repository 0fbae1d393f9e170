"""Use cases, one call per user action. Plain Python, no Qt.

Each service takes the ``Database`` in its constructor, runs one unit of work per call and
returns frozen dataclasses (never live ORM objects) to its callers.
"""
