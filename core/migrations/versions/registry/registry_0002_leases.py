"""Many processes on one registry (issue 16, main at 8bc360e): the ``processes`` every process stamps, the
named ``locks``, an ``owner`` on documents and jobs, and the partial unique indexes that let one job per
document and one re-index run at a time. A database the skeleton's version made already has some of them.

Revision ID: registry_0002
Revises: registry_0001
Create Date: 2026-12-01
"""

import sqlalchemy as sa

from core.migrations.adopt import ensure_column, ensure_index, ensure_table

revision = "registry_0002"
down_revision = "registry_0001"
branch_labels = None
depends_on = None

TIME = sa.DateTime(timezone=True)
OWNER = sa.String(96)
JOB_RUNNING = sa.text("state IN ('parsing', 'chunking', 'embedding')")
REINDEX_RUNNING = sa.text("state = 'running'")


def upgrade() -> None:
    ensure_table(
        "processes",
        sa.Column("id", OWNER, nullable=False),
        sa.Column("role", sa.String(32), nullable=False),
        sa.Column("host", sa.String(64), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("started_at", TIME, nullable=False),
        sa.Column("beat_at", TIME, nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    ensure_index("ix_processes_beat_at", "processes", ["beat_at"])
    ensure_table(
        "locks",
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("owner", OWNER, nullable=False),
        sa.Column("taken_at", TIME, nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    ensure_column("documents", sa.Column("owner", OWNER, nullable=True))
    ensure_column("jobs", sa.Column("owner", OWNER, nullable=True))
    ensure_index(
        "one_running_job_per_document",
        "jobs",
        ["tenant", "doc_id"],
        unique=True,
        sqlite_where=JOB_RUNNING,
        postgresql_where=JOB_RUNNING,
    )
    ensure_index(
        "one_running_reindex",
        "reindex_runs",
        ["state"],
        unique=True,
        sqlite_where=REINDEX_RUNNING,
        postgresql_where=REINDEX_RUNNING,
    )
