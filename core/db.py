"""Our own small databases (registry, jobs, API keys, conversations, traces): SQLite in the data
directory by default, any SQLAlchemy URL (PostgreSQL in production, with the ``postgres`` extra) when
configured. ``SqlStore`` is what each of them shares: the engine, its schema brought to head by its
migration branch (``core.migrations``), one transaction per ``_session()``.

Each record is described once: a dataclass whose fields are also its table's columns (``column``), mapped
onto the table ``map_record`` builds from those fields. The dataclass is what the code passes around and
what the API's response models are validated from (``from_attributes``); ``as_dict`` is its plain form."""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import logging
import zlib
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ClassVar

from sqlalchemy import Column, DateTime, String, Table, create_engine, event
from sqlalchemy.engine import Dialect, Engine, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError
from sqlalchemy.orm import Session, registry, sessionmaker
from sqlalchemy.types import TypeDecorator, TypeEngine

from core import migrations
from core.errors import DatabaseError

log = logging.getLogger(__name__)

POSTGRES_DRIVER = "postgresql+psycopg"
POSTGRES_EXTRA = "install the postgres extra: pip install 'rag-knowledge[postgres]'"
CONNECT_TIMEOUT_S = 10


def make_engine(url: str, name: str = "registry") -> Engine:
    """The engine of the ``name`` database (a migration branch, for messages). A PostgreSQL URL without a
    driver gets psycopg 3 (SQLAlchemy's default, psycopg2, is not installed)."""
    try:
        parsed = make_url(url)
    except ArgumentError as e:
        raise DatabaseError(
            f"the {name} database URL ({migrations.URL_SETTINGS[name]}) is not a SQLAlchemy URL: expected "
            "e.g. sqlite:///path/to/file.sqlite or postgresql://user:password@host:5432/dbname"
        ) from e
    options: dict[str, Any] = {}
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername=POSTGRES_DRIVER)
    if parsed.get_backend_name() == "postgresql":
        options["pool_pre_ping"] = True  # a server restarted meanwhile closed the pooled connections
        if "connect_timeout" not in parsed.query:
            options["connect_args"] = {"connect_timeout": CONNECT_TIMEOUT_S}
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        try:
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise DatabaseError(f"cannot make the directory of the {name} database: {e}") from e
    try:
        engine = create_engine(parsed, **options)
    except NoSuchModuleError as e:
        raise DatabaseError(
            f"the {name} database URL ({migrations.URL_SETTINGS[name]}) names an unknown database kind "
            f"{parsed.drivername!r}: use sqlite:/// or postgresql://"
        ) from e
    except ImportError as e:
        hint = POSTGRES_EXTRA if parsed.get_backend_name() == "postgresql" else f"install it ({e})"
        raise DatabaseError(f"no driver for the {name} database ({parsed.drivername}): {hint}") from e
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    # The wait first: switching a new database to WAL needs its lock, which another process opening it
    # at the same moment may hold (without the wait: "database is locked" at once).
    cur.execute("PRAGMA busy_timeout=10000")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=FULL")
    cur.close()


def advisory_key(name: str) -> int:
    """A signed 32-bit key for a PostgreSQL advisory lock named ``name``."""
    return zlib.crc32(name.encode()) - (1 << 31)


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
        # PostgreSQL answers in the session's time zone, whatever the server's setting is.
        value = aware(value)
        return value.astimezone(dt.UTC) if value is not None and value.tzinfo is not dt.UTC else value


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
    """Base of our small SQLAlchemy stores: the engine, the schema at head, one transaction per session.

    A subclass names the migration branch its tables belong to (``branch``: one of
    ``core.migrations.BRANCHES``). Opening brings that branch to head, or, with ``auto_upgrade`` off
    (RAG_DB__AUTO_UPGRADE), refuses a database that is behind (DatabaseBehind)."""

    branch: ClassVar[str]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if getattr(cls, "branch", None) not in migrations.BRANCHES:
            raise TypeError(f"{cls.__name__}.branch must be one of {migrations.BRANCHES}")

    def __init__(self, url: str, *, auto_upgrade: bool = True) -> None:
        self.engine: Engine = make_engine(url, self.branch)
        try:
            migrations.ensure(self.engine, self.branch, upgrade=auto_upgrade)
        except BaseException:
            self.engine.dispose()
            raise
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def _session(self) -> Iterator[Session]:
        with self._sessions.begin() as s:
            yield s

    def close(self) -> None:
        self.engine.dispose()
