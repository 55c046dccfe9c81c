"""The conversation tables as they were before migrations (main at c56e5ba): ``tenant_conversations`` and
their ``conversation_turns``. A database those versions made is adopted as it is; one of the first schema
(ids global: ``conversations`` and ``turns``) has its conversations moved over, each to its tenant.

Revision ID: conversations_0001
Revises:
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

from core.migrations.adopt import ensure_index, ensure_table, has_table

revision = "conversations_0001"
down_revision = None
branch_labels = ("conversations",)
depends_on = None

TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    ensure_table(
        "tenant_conversations",
        sa.Column("tenant", sa.String(64), nullable=False),
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("created_at", TIME, nullable=False),
        sa.PrimaryKeyConstraint("tenant", "id"),
    )
    ensure_table(
        "conversation_turns",
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("standalone", sa.Text(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("trace_id", sa.String(64), nullable=False),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("tenant", sa.String(64), nullable=False),
        sa.Column("conversation_id", sa.String(64), nullable=False),
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant", "conversation_id"], ["tenant_conversations.tenant", "tenant_conversations.id"]
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    ensure_index("ix_conversation_turns_conversation", "conversation_turns", ["tenant", "conversation_id"])
    ensure_index("ix_conversation_turns_trace", "conversation_turns", ["tenant", "trace_id"])
    if has_table("conversations"):
        _move_first_schema()


def _move_first_schema() -> None:
    op.execute(
        "INSERT INTO tenant_conversations (tenant, id, created_at) "
        "SELECT tenant, id, created_at FROM conversations"
    )
    op.execute(
        "INSERT INTO conversation_turns "
        "(tenant, conversation_id, question, standalone, answer, trace_id, created_at) "
        "SELECT c.tenant, t.conversation_id, t.question, t.standalone, t.answer, t.trace_id, t.created_at "
        "FROM turns t JOIN conversations c ON c.id = t.conversation_id ORDER BY t.id"
    )
    op.drop_table("turns")
    op.drop_table("conversations")
