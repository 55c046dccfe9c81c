"""The trace tables as they were before migrations (main at c56e5ba): ``traces`` and ``feedback``. A
database those versions made is adopted: the columns added since the table first shipped
(``prompt_messages``, ``guardrails``, ``slices``) and any index it lacks are added, its rows kept.

Revision ID: traces_0001
Revises:
Create Date: 2026-12-01
"""

import sqlalchemy as sa

from core.migrations.adopt import ensure_index, ensure_table

revision = "traces_0001"
down_revision = None
branch_labels = ("traces",)
depends_on = None

TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    ensure_table(
        "traces",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("tenant", sa.String(64), nullable=False),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("latency_ms", sa.Float(), nullable=False),
        sa.Column("timings", sa.JSON(), nullable=False),
        sa.Column("retrieval", sa.JSON(), nullable=False),
        sa.Column("request_id", sa.String(64), nullable=True),
        sa.Column("conversation_id", sa.String(64), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("prompt_name", sa.String(64), nullable=True),
        sa.Column("prompt_version", sa.Integer(), nullable=True),
        sa.Column("prompt_hash", sa.String(16), nullable=True),
        sa.Column("prompt_variant", sa.String(16), nullable=True),
        sa.Column("model", sa.String(128), nullable=True),
        sa.Column("tokens_in", sa.Integer(), nullable=False),
        sa.Column("tokens_out", sa.Integer(), nullable=False),
        sa.Column("cost", sa.Float(), nullable=True),
        sa.Column("refused", sa.Boolean(), nullable=False),
        sa.Column("refusal_reason", sa.String(32), nullable=True),
        sa.Column("citations", sa.JSON(), nullable=False),
        sa.Column("uncited", sa.Integer(), nullable=False),
        sa.Column("signals", sa.JSON(), nullable=False),
        sa.Column("trace_metadata", sa.JSON(), nullable=False),
        sa.Column("steps", sa.JSON(), nullable=False),
        sa.Column("question", sa.Text(), nullable=True),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("query_vector", sa.LargeBinary(), nullable=True),
        sa.Column("guardrails", sa.JSON(), nullable=False),
        sa.Column("slices", sa.JSON(), nullable=False),
        sa.Column("prompt_messages", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    ensure_index("ix_traces_kind", "traces", ["kind"])
    ensure_index("ix_traces_tenant", "traces", ["tenant"])
    ensure_index("ix_traces_created_at", "traces", ["created_at"])
    ensure_index("ix_traces_conversation_id", "traces", ["conversation_id"])
    ensure_table(
        "feedback",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("trace_id", sa.String(32), nullable=False),
        sa.Column("tenant", sa.String(64), nullable=False),
        sa.Column("rating", sa.Integer(), nullable=False),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    ensure_index("ix_feedback_trace_id", "feedback", ["trace_id"])
    ensure_index("ix_feedback_tenant", "feedback", ["tenant"])
    ensure_index("ix_feedback_created_at", "feedback", ["created_at"])
