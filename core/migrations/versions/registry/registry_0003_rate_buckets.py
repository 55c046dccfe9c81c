"""Rate limits shared by every process (issue 16): the token buckets of ``api.ratelimit``'s database
limiter, one row per (scope, key).

Revision ID: registry_0003
Revises: registry_0002
Create Date: 2026-12-01
"""

import sqlalchemy as sa

from core.migrations.adopt import ensure_index, ensure_table

revision = "registry_0003"
down_revision = "registry_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Adopting: a database a build between issue 16's pieces made may have it already.
    ensure_table(
        "rate_buckets",
        sa.Column("scope", sa.String(16), nullable=False),
        sa.Column("key", sa.String(128), nullable=False),
        sa.Column("tokens", sa.Double(), nullable=False),
        sa.Column("at", sa.Double(), nullable=False),
        sa.Column("granted", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("scope", "key"),
    )
    ensure_index("ix_rate_buckets_at", "rate_buckets", ["at"])
