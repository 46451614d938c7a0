"""What each turn did: the reply item's columns on messages, Rasa's language on conversations.

Bot messages stored before this revision keep NULL in the new columns (no kind): the console
shows them without a badge and the outcome filters count them as answered.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

MESSAGE_COLUMNS = ("language", "kind", "faq_id", "rule", "confidence", "result", "sources", "notes")


def upgrade() -> None:
    """Add the reply item's columns to messages and the assistant's language to conversations."""
    with op.batch_alter_table("messages") as batch:
        batch.add_column(sa.Column("language", sa.String(8), nullable=True))
        batch.add_column(sa.Column("kind", sa.String(16), nullable=True))
        batch.add_column(sa.Column("faq_id", sa.String(128), nullable=True))
        batch.add_column(sa.Column("rule", sa.String(64), nullable=True))
        batch.add_column(sa.Column("confidence", sa.Float, nullable=True))
        batch.add_column(sa.Column("result", sa.String(64), nullable=True))
        batch.add_column(sa.Column("sources", sa.JSON, nullable=True))
        batch.add_column(sa.Column("notes", sa.JSON, nullable=True))
    with op.batch_alter_table("conversations") as batch:
        batch.add_column(sa.Column("assistant_language", sa.String(8), nullable=True))


def downgrade() -> None:
    """Drop the columns again."""
    with op.batch_alter_table("conversations") as batch:
        batch.drop_column("assistant_language")
    with op.batch_alter_table("messages") as batch:
        for name in reversed(MESSAGE_COLUMNS):
            batch.drop_column(name)
