"""Alembic environment: migrates the gateway database named by NSO_DATABASE_URL."""

from __future__ import annotations

from alembic import context

from conversation.db import Base
from conversation.models import Conversation  # noqa: F401  (registers the tables on Base)

config = context.config
target_metadata = Base.metadata


def run() -> None:
    """Run migrations on the connection handed in by conversation.db.migrate (or the configured URL)."""
    connection = config.attributes.get("connection")
    if connection is None:
        context.configure(
            url=config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata, literal_binds=True
        )
        with context.begin_transaction():
            context.run_migrations()
        return
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


run()
