"""Jobs have an ``ocr`` state (issue 17): the partial unique index that lets one job per document run
must count it as running, or a second job of the same document could be claimed while the first reads
scanned pages. Recreated with the new state list.

Revision ID: registry_0005
Revises: registry_0004
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "registry_0005"
down_revision = "registry_0004"
branch_labels = None
depends_on = None

JOB_RUNNING = sa.text("state IN ('chunking', 'embedding', 'ocr', 'parsing')")


def upgrade() -> None:
    op.drop_index("one_running_job_per_document", table_name="jobs", if_exists=True)
    op.create_index(
        "one_running_job_per_document",
        "jobs",
        ["tenant", "doc_id"],
        unique=True,
        sqlite_where=JOB_RUNNING,
        postgresql_where=JOB_RUNNING,
    )
