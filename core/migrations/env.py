"""Alembic's environment: runs the migrations on the connection ``core.migrations.upgrade`` opened and
locked, recording the branch's revision in its own version table."""

from alembic import context

from core.migrations import version_table

config = context.config
if "connection" not in config.attributes:
    raise SystemExit("upgrade with `rag db upgrade` (it opens, locks and records each database)")

context.configure(
    connection=config.attributes["connection"], version_table=version_table(config.attributes["branch"])
)
with context.begin_transaction():
    context.run_migrations()
