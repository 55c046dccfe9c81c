"""Our own small databases (registry, jobs, API keys, conversations, traces): SQLite in the data
directory by default, any SQLAlchemy URL (Postgres in production) when configured. ``SqlStore`` is what
each of them shares: the engine, its tables created, one transaction per ``_session()``.

Each record is described once: a dataclass whose fields are also its table's columns (``column``), mapped
onto the table ``map_record`` builds from those fields. The dataclass is what the code passes around and
what the API's response models are validated from (``from_attributes``); ``as_dict`` is its plain form."""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import logging
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Column, DateTime, MetaData, String, Table, create_engine, event, inspect, text
from sqlalchemy.engine import Dialect, Engine
from sqlalchemy.orm import Session, registry, sessionmaker
from sqlalchemy.types import TypeDecorator, TypeEngine

log = logging.getLogger(__name__)


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=FULL")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.close()


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def aware(t: dt.datetime | None) -> dt.datetime | None:
    """SQLite drops the time zone of stored datetimes: ours are all UTC."""
    return t.replace(tzinfo=dt.UTC) if t is not None and t.tzinfo is None else t


class UtcDateTime(TypeDecorator[dt.datetime]):
    """A datetime column read back in UTC (``aware``): the same DDL as ``DateTime(timezone=True)``."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_result_value(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        return aware(value)


class EnumString(TypeDecorator[enum.Enum]):
    """A ``StrEnum`` stored as its value in a VARCHAR (the DDL of ``String(length)``), read back as the
    enum."""

    impl = String
    cache_ok = True

    def __init__(self, enum_type: type[enum.Enum], length: int) -> None:
        super().__init__(length)
        self.enum_type = enum_type

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        return value.value if isinstance(value, enum.Enum) else value

    def process_result_value(self, value: Any, dialect: Dialect) -> Any:
        return self.enum_type(value) if value is not None else None


_COLUMN = "column"


def column(
    type_: TypeEngine[Any] | type[TypeEngine[Any]],
    *,
    name: str | None = None,
    default: Any = dataclasses.MISSING,
    default_factory: Any = dataclasses.MISSING,
    kw_only: Any = dataclasses.MISSING,
    **options: Any,
) -> Any:
    """A dataclass field that is also a column of its record's table: ``name`` when the column is named
    otherwise than the field (``metadata`` is SQLAlchemy's own), ``options`` as for ``Column``
    (primary_key, index, nullable, server_default, onupdate). Nullable when the field's type says
    ``| None``."""
    spec = {"type": type_, "name": name, "options": options}
    return dataclasses.field(
        default=default, default_factory=default_factory, kw_only=kw_only, metadata={_COLUMN: spec}
    )


def map_record(cls: type, table: str, mapper_registry: registry, *table_args: Any) -> Table:
    """Map the dataclass ``cls`` onto ``table``, whose columns are its ``column`` fields (in their order);
    the other fields (``feedback`` of a trace) are the code's alone. Queries then use the class itself:
    ``select(Job).where(Job.state == ...)``."""
    columns, renamed = [], {}
    for f in dataclasses.fields(cls):
        spec = f.metadata.get(_COLUMN)
        if spec is None:
            continue
        options = {"nullable": "None" in str(f.type)} | spec["options"]
        c = Column(spec["name"] or f.name, spec["type"], **options)
        columns.append(c)
        if c.name != f.name:
            renamed[f.name] = c
    t = Table(table, mapper_registry.metadata, *columns, *table_args)
    mapper_registry.map_imperatively(cls, t, properties=renamed)
    return t


def as_dict(record: Any, exclude: Collection[str] = ()) -> dict[str, Any]:
    """A record's fields in their order, datetimes in ISO 8601 and enums as their values."""
    out = {}
    for f in dataclasses.fields(record):
        if f.name not in exclude:
            v = getattr(record, f.name)
            out[f.name] = (
                v.isoformat() if isinstance(v, dt.datetime) else v.value if isinstance(v, enum.Enum) else v
            )
    return out


class SqlStore:
    """Base of our small SQLAlchemy stores: the engine, the tables created, one transaction per session."""

    def __init__(self, url: str, metadata: MetaData) -> None:
        self.engine: Engine = make_engine(url)
        metadata.create_all(self.engine)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def _session(self) -> Iterator[Session]:
        with self._sessions.begin() as s:
            yield s

    def close(self) -> None:
        self.engine.dispose()


def add_columns(engine: Engine, table: Table, names: Collection[str]) -> None:
    """Add the columns ``names`` of ``table`` that a database made by an older version lacks
    (``create_all`` adds only tables)."""
    have = {c["name"] for c in inspect(engine).get_columns(table.name)}
    with engine.begin() as conn:
        for name in names:
            if name not in have:
                kind = table.c[name].type.compile(dialect=engine.dialect)
                conn.execute(text(f"ALTER TABLE {table.name} ADD COLUMN {name} {kind}"))
                log.info("%s: added column %s", table.name, name)
