"""Helpdesk tools: saved replies per language, admin-issued password-reset links.

The opening schedule needs no table: it is a JSON value in ``app_settings``.

Revision ID: 0005_helpdesk_tools
Revises: 0004_contact_and_live
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_helpdesk_tools"
down_revision = "0004_contact_and_live"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the saved_replies and password_resets tables."""
    op.create_table(
        "saved_replies",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("language", sa.String(8), nullable=False, index=True),
        sa.Column("shortcut", sa.String(32), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("created_by", sa.Integer, sa.ForeignKey("agents.id"), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    )
    op.create_table(
        "password_resets",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column(
            "agent_id", sa.Integer, sa.ForeignKey("agents.id", ondelete="CASCADE"), nullable=False, index=True
        ),
        sa.Column("issued_by", sa.Integer, sa.ForeignKey("agents.id"), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
    )


def downgrade() -> None:
    """Drop both tables."""
    op.drop_table("password_resets")
    op.drop_table("saved_replies")
