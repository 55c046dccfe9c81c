"""Syncs of websites asked for over the API run past their request (issue 17): ``ingest.syncruns``,
one row per run, one running run per source.

Revision ID: registry_0007
Revises: registry_0006
Create Date: 2026-12-02
"""

import sqlalchemy as sa

from core.migrations.adopt import ensure_index, ensure_table

revision = "registry_0007"
down_revision = "registry_0006"
branch_labels = None
depends_on = None

RUNNING = sa.text("state = 'running'")


def upgrade() -> None:
    ensure_table(
        "sync_runs",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("tenant", sa.String(64), nullable=False),
        sa.Column("source", sa.String(32), nullable=False),
        sa.Column("uri", sa.String(2048), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("report", sa.JSON(), nullable=True),
        sa.Column("reason", sa.String(64), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("owner", sa.String(96), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    ensure_index("ix_sync_runs_tenant", "sync_runs", ["tenant"])
    ensure_index(
        "one_running_sync_per_source",
        "sync_runs",
        ["tenant", "source"],
        unique=True,
        sqlite_where=RUNNING,
        postgresql_where=RUNNING,
    )
