"""Operations for the first revisions of each branch, which also adopt a database an older version made
without migrations (its tables from ``create_all``, some columns added on open, no version table): what
exists is left as it is, what lacks is made. On a new database they are the plain ``op`` calls.

Later revisions use ``op`` itself: every database that reaches them was made or adopted by these."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op


def _inspector() -> sa.Inspector:
    return sa.inspect(op.get_bind())


def has_table(name: str) -> bool:
    return _inspector().has_table(name)


def ensure_table(name: str, *items: Any) -> None:
    """Create the table; if it exists, add the columns among ``items`` it lacks. A column added to rows
    that exist is nullable unless it has a server default (as the older versions added them)."""
    if not has_table(name):
        op.create_table(name, *items)
        return
    have = {c["name"] for c in _inspector().get_columns(name)}
    for c in items:
        if isinstance(c, sa.Column) and c.name not in have:
            nullable = c.nullable or c.server_default is None
            op.add_column(name, sa.Column(c.name, c.type, nullable=nullable, server_default=c.server_default))


def ensure_column(table: str, column: sa.Column[Any]) -> None:
    if column.name not in {c["name"] for c in _inspector().get_columns(table)}:
        op.add_column(table, column)


def ensure_index(name: str, table: str, columns: list[str], **options: Any) -> None:
    if name not in {i["name"] for i in _inspector().get_indexes(table)}:
        op.create_index(name, table, columns, **options)
