"""Alembic migrations for the claim store (applied by ``store.migrate``)."""
