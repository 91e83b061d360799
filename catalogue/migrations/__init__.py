"""Alembic migrations of the store (``catalogue init`` applies them)."""
