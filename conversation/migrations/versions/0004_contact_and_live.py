"""Teachers who leave and live chat: e-mail contacts with consent, typing times, seen messages.

``contacts`` holds the address a teacher left at hand-off with the consent text's version and
time; ``conversations`` gains when each side last typed and the last message the widget showed
(agent replies after it are unread); ``messages`` gains the comment of a chat's rating.

Revision ID: 0004_contact_and_live
Revises: 0003
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_contact_and_live"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the contacts table and the live-chat columns."""
    op.create_table(
        "contacts",
        sa.Column(
            "conversation_id",
            sa.String(128),
            sa.ForeignKey("conversations.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("consent_text", sa.String(64), nullable=False),
        sa.Column("consent_language", sa.String(8), nullable=False),
        sa.Column("consented_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("transcript", sa.Boolean, nullable=False, server_default=sa.false()),
    )
    with op.batch_alter_table("conversations") as batch:
        batch.add_column(sa.Column("user_typing_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("agent_typing_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("seen_message_id", sa.Integer, nullable=False, server_default="0"))
    with op.batch_alter_table("messages") as batch:
        batch.add_column(sa.Column("rating_comment", sa.Text, nullable=True))


def downgrade() -> None:
    """Drop them again."""
    with op.batch_alter_table("messages") as batch:
        batch.drop_column("rating_comment")
    with op.batch_alter_table("conversations") as batch:
        batch.drop_column("seen_message_id")
        batch.drop_column("agent_typing_at")
        batch.drop_column("user_typing_at")
    op.drop_table("contacts")
