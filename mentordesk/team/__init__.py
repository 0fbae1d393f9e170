"""Team mode: many desks, one shared PostgreSQL. Plain Python, no Qt.

The desk stays a local SQLite working copy; ``replicator`` pushes its outbox and pulls the
team's changes; ``merge`` reconciles the two field by field; ``membership`` joins and leaves.
"""
