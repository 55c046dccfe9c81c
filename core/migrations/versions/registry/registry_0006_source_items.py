"""What each source (a folder, a bucket, a website) ingested, with each document's version then
(issue 17): ``ingest.sourcestore``.

Revision ID: registry_0006
Revises: registry_0005
Create Date: 2026-12-02
"""

import sqlalchemy as sa

from core.migrations.adopt import ensure_table

revision = "registry_0006"
down_revision = "registry_0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    ensure_table(
        "source_items",
        sa.Column("tenant", sa.String(64), nullable=False),
        sa.Column("source", sa.String(32), nullable=False),
        sa.Column("name", sa.String(1024), nullable=False),
        sa.Column("doc_id", sa.String(128), nullable=False),
        sa.Column("version", sa.String(256), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("uri", sa.String(2048), nullable=False),
        sa.Column("synced_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("tenant", "source", "name"),
    )
