"""Console tables: agents, their sessions, internal notes, run-time settings; who took a handoff.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the console tables and add the takeover columns to handoffs and messages."""
    op.create_table(
        "agents",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("email", sa.String(254), nullable=False, unique=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("role", sa.String(8), nullable=False),
        sa.Column("failed_logins", sa.Integer, nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    )
    op.create_table(
        "agent_sessions",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("agent_id", sa.Integer, sa.ForeignKey("agents.id", ondelete="CASCADE"), nullable=False),
        sa.Column("csrf_token", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_agent_sessions_agent_id", "agent_sessions", ["agent_id"])
    op.create_table(
        "notes",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "conversation_id",
            sa.String(128),
            sa.ForeignKey("conversations.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("agent_id", sa.Integer, sa.ForeignKey("agents.id"), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    )
    op.create_index("ix_notes_conversation_id", "notes", ["conversation_id"])
    op.create_table(
        "app_settings",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
        sa.Column("updated_by", sa.Integer, sa.ForeignKey("agents.id"), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    )
    # Batch mode: SQLite cannot add a foreign key to an existing table, so Alembic copies it.
    with op.batch_alter_table("handoffs") as batch:
        batch.add_column(sa.Column("taken_by", sa.Integer, nullable=True))
        batch.add_column(sa.Column("taken_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_foreign_key("fk_handoffs_taken_by_agents", "agents", ["taken_by"], ["id"])
    with op.batch_alter_table("messages") as batch:
        batch.add_column(sa.Column("agent_id", sa.Integer, nullable=True))
        batch.create_foreign_key("fk_messages_agent_id_agents", "agents", ["agent_id"], ["id"])


def downgrade() -> None:
    """Drop the console tables and columns."""
    with op.batch_alter_table("messages") as batch:
        batch.drop_constraint("fk_messages_agent_id_agents", type_="foreignkey")
        batch.drop_column("agent_id")
    with op.batch_alter_table("handoffs") as batch:
        batch.drop_constraint("fk_handoffs_taken_by_agents", type_="foreignkey")
        batch.drop_column("closed_at")
        batch.drop_column("taken_at")
        batch.drop_column("taken_by")
    op.drop_table("app_settings")
    op.drop_table("notes")
    op.drop_table("agent_sessions")
    op.drop_table("agents")
