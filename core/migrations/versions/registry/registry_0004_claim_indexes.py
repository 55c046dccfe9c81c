"""Indexes the job claim reads by (issue 16): a tenant's queued jobs oldest first, and a tenant's last
start; without them a claim with 10,000 jobs queued took seconds.

Revision ID: registry_0004
Revises: registry_0003
Create Date: 2026-12-01
"""

from core.migrations.adopt import ensure_index

revision = "registry_0004"
down_revision = "registry_0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    ensure_index("ix_jobs_tenant_state_created", "jobs", ["tenant", "state", "created_at"])
    ensure_index("ix_jobs_tenant_started", "jobs", ["tenant", "started_at"])
