"""The registry's tables as they were before migrations (main at c56e5ba): documents, jobs, blob_refs,
api_keys, reindex_runs, reindex_docs. A database those versions made is adopted: what it lacks (a table
not yet used, ``documents.guard``, ``jobs.replaces``, an index) is added, its rows kept.

Revision ID: registry_0001
Revises:
Create Date: 2026-12-01
"""

import sqlalchemy as sa

from core.migrations.adopt import ensure_index, ensure_table

revision = "registry_0001"
down_revision = None
branch_labels = ("registry",)
depends_on = None

TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    ensure_table(
        "documents",
        sa.Column("tenant", sa.String(64), nullable=False),
        sa.Column("id", sa.String(128), nullable=False),
        sa.Column("source", sa.String(1024), nullable=False),
        sa.Column("format", sa.String(16), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=True),
        sa.Column("chunk_count", sa.Integer(), nullable=False),
        sa.Column("pending_hash", sa.String(64), nullable=True),
        sa.Column("pending_chunks", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("doc_metadata", sa.JSON(), nullable=False),
        sa.Column("guard", sa.JSON(), nullable=True),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("updated_at", TIME, nullable=False),
        sa.PrimaryKeyConstraint("tenant", "id"),
    )
    ensure_index("ix_documents_source", "documents", ["source"])
    ensure_index("ix_documents_status", "documents", ["status"])

    ensure_table(
        "jobs",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("tenant", sa.String(64), nullable=False),
        sa.Column("doc_id", sa.String(128), nullable=False),
        sa.Column("source", sa.String(1024), nullable=False),
        sa.Column("blob", sa.String(64), nullable=False),
        sa.Column("job_metadata", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("progress", sa.Float(), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=True),
        sa.Column("reason", sa.String(64), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("chunks", sa.Integer(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("started_at", TIME, nullable=True),
        sa.Column("heartbeat_at", TIME, nullable=True),
        sa.Column("finished_at", TIME, nullable=True),
        sa.Column("replaces", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    ensure_index("ix_jobs_tenant", "jobs", ["tenant"])
    ensure_index("ix_jobs_doc_id", "jobs", ["doc_id"])
    ensure_index("ix_jobs_state", "jobs", ["state"])

    ensure_table(
        "blob_refs",
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("tenant", sa.String(64), nullable=False),
        sa.Column("owner", sa.String(128), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("digest", "kind", "tenant", "owner"),
    )
    ensure_index("ix_blob_refs_tenant", "blob_refs", ["tenant"])

    ensure_table(
        "api_keys",
        sa.Column("id", sa.String(16), nullable=False),
        sa.Column("secret_hash", sa.String(64), nullable=False),
        sa.Column("tenant", sa.String(64), nullable=False),
        sa.Column("admin", sa.Boolean(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("revoked_at", TIME, nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    ensure_index("ix_api_keys_tenant", "api_keys", ["tenant"])

    ensure_table(
        "reindex_runs",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("phase", sa.String(32), nullable=False),
        sa.Column("version", sa.String(32), nullable=False),
        sa.Column("served_at_start", sa.String(32), nullable=True),
        sa.Column("build", sa.JSON(), nullable=False),
        sa.Column("fingerprint", sa.String(32), nullable=False),
        sa.Column("incremental", sa.Boolean(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("rebuilt", sa.Integer(), nullable=False),
        sa.Column("copied", sa.Integer(), nullable=False),
        sa.Column("chunks", sa.Integer(), nullable=False),
        sa.Column("resumed", sa.Integer(), nullable=False),
        sa.Column("rate", sa.Float(), nullable=False),
        sa.Column("smoke", sa.JSON(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("owner", sa.String(128), nullable=False),
        sa.Column("cancel", sa.Boolean(), nullable=False),
        sa.Column("started_at", TIME, nullable=False),
        sa.Column("heartbeat_at", TIME, nullable=False),
        sa.Column("finished_at", TIME, nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    ensure_index("ix_reindex_runs_state", "reindex_runs", ["state"])

    ensure_table(
        "reindex_docs",
        sa.Column("run_id", sa.String(32), nullable=False),
        sa.Column("tenant", sa.String(64), nullable=False),
        sa.Column("doc_id", sa.String(128), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("doc_metadata", sa.JSON(), nullable=False),
        sa.Column("chunks", sa.Integer(), nullable=False),
        sa.Column("how", sa.String(16), nullable=False),
        sa.PrimaryKeyConstraint("run_id", "tenant", "doc_id"),
    )
