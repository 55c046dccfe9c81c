"""Schema migrations (Alembic) of our databases. Three may each have their own URL, so there are three
independent histories (branches): ``registry`` (documents, jobs, blob references, API keys, re-index
runs, processes, locks), ``conversations`` and ``traces``. Each keeps its revision in its own version table
(``alembic_version_<branch>``): one database may hold any of them, and a traces database gets only the
traces tables.

Revisions are written by hand (``op.create_table``, ``op.add_column``...), never from the current models:
a model changed later must not change what an old revision does. Forward only.

A store brings its branch to head when it opens its database (``ensure``): at head that costs one query
and never loads Alembic; behind, the upgrade runs in one transaction under a lock (an advisory lock on
PostgreSQL, the write lock BEGIN IMMEDIATE takes on SQLite), so of two processes opening at once one
migrates and the other finds it done. With RAG_DB__AUTO_UPGRADE off it refuses instead, and ``rag db
upgrade`` (a deployment step) upgrades.

A database an older version made (tables from ``create_all``, no version table) is adopted by each
branch's first revisions, which create only what it lacks (``core.migrations.adopt``).

A new revision: a file in ``versions/<branch>/`` whose ``down_revision`` is the branch's head (``alembic -c
core/migrations/alembic.ini revision --head registry@head --rev-id registry_0003 -m "..."`` writes one),
and ``HEADS`` moved to it (a test checks that they agree and that the migrated schema is the models').
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import create_engine, event, inspect, text
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError
from sqlalchemy.pool import NullPool

from core.errors import DatabaseBehind, DatabaseError

if TYPE_CHECKING:
    from alembic.config import Config

log = logging.getLogger(__name__)

BRANCHES = ("registry", "conversations", "traces")
# Each branch's newest revision: what this version's stores need.
HEADS = {"registry": "registry_0007", "conversations": "conversations_0001", "traces": "traces_0001"}
# Where each database's URL is set, for messages.
URL_SETTINGS = {
    "registry": "RAG_INGEST__REGISTRY_URL",
    "conversations": "RAG_ANSWER__CONVERSATIONS_URL",
    "traces": "RAG_MONITORING__TRACES_URL",
}
_HERE = Path(__file__).parent
SQLITE_LOCK_WAIT_MS = 60_000  # how long a process waits for another's upgrade of a SQLite database


def version_table(branch: str) -> str:
    return f"alembic_version_{branch}"


def shown(url: str | URL) -> str:
    """A URL fit for a message: the password hidden, also one given as a query parameter
    (``?password=``, which libpq accepts)."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return "(not a URL)"
    secret = {k: "***" for k in parsed.query if "password" in k.lower() or "secret" in k.lower()}
    return parsed.update_query_dict(secret).render_as_string(hide_password=True)


def known(branch: str, revision: str | None) -> bool:
    """Whether this version knows ``revision`` (None, no version table, it does): one a newer version
    made is not."""
    return revision is None or revision in _revisions(branch)


# -- reading -------------------------------------------------------------------------------------------


def current(engine: Engine, branch: str) -> str | None:
    """The branch's revision in this database, None when it has no version table. One query (three
    when the table is missing)."""
    query = text(f"SELECT version_num FROM {version_table(branch)}")
    with _reaching(engine, branch), engine.connect() as conn:
        try:
            return conn.execute(query).scalar()
        except DBAPIError:
            conn.rollback()
            if not inspect(conn).has_table(version_table(branch)):
                return None
            # Another process's upgrade created it since: read it again (any other failure repeats).
            return conn.execute(query).scalar()


# -- upgrading -----------------------------------------------------------------------------------------


def ensure(engine: Engine, branch: str, upgrade: bool = True) -> None:
    """Bring the branch to head in this database; with ``upgrade`` off, refuse a database behind."""
    at = current(engine, branch)
    if at == HEADS[branch]:
        return
    _check_known(engine, branch, at)
    if not upgrade:
        raise DatabaseBehind(
            f"the {branch} database ({shown(engine.url)}) is at revision {at or 'none'}, this version needs "
            f"{HEADS[branch]}: run `rag db upgrade` (or set RAG_DB__AUTO_UPGRADE=true)"
        )
    before, after = upgrade_branch(engine, branch)
    if before != after:
        log.info("%s database upgraded from %s to %s", branch, before or "nothing", after)


def upgrade_branch(engine: Engine, branch: str) -> tuple[str | None, str | None]:
    """Upgrade the branch to head, under the lock; (revision before, revision after)."""
    from alembic import command

    with _reaching(engine, branch), _locked(engine, branch) as conn:
        before = _current_in(conn, branch)
        _check_known(engine, branch, before)
        cfg = _config()
        cfg.attributes.update(connection=conn, branch=branch)
        command.upgrade(cfg, f"{branch}@head")
        return before, _current_in(conn, branch)


def _current_in(conn: Connection, branch: str) -> str | None:
    if not inspect(conn).has_table(version_table(branch)):
        return None
    return conn.execute(text(f"SELECT version_num FROM {version_table(branch)}")).scalar()


def _check_known(engine: Engine, branch: str, at: str | None) -> None:
    if not known(branch, at):
        raise DatabaseError(
            f"the {branch} database ({shown(engine.url)}) is at revision {at}, which this version does not "
            "know: a newer version upgraded it; run that version"
        )


@contextmanager
def _locked(engine: Engine, branch: str) -> Iterator[Connection]:
    """A connection in a transaction that only one process at a time gets for this branch's database."""
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:  # the lock goes with the transaction
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _lock_key(branch)})
            yield conn
        return
    if engine.dialect.name == "sqlite" and engine.url.database not in (None, "", ":memory:"):
        # The store's engine lets pysqlite open transactions lazily; this one begins with the write lock.
        locker = create_engine(engine.url, poolclass=NullPool)
        event.listen(locker, "connect", _sqlite_autocommit)
        event.listen(locker, "begin", lambda c: c.exec_driver_sql("BEGIN IMMEDIATE"))
        try:
            with locker.begin() as conn:
                yield conn
        finally:
            locker.dispose()
        return
    with engine.begin() as conn:
        yield conn


def _sqlite_autocommit(dbapi_conn: Any, _record: Any) -> None:
    dbapi_conn.isolation_level = None
    dbapi_conn.execute(f"PRAGMA busy_timeout={SQLITE_LOCK_WAIT_MS}")


def _lock_key(branch: str) -> int:
    from core.db import advisory_key  # core.db opens its stores through this module

    return advisory_key(f"rag:migrate:{branch}")


@contextmanager
def _reaching(engine: Engine, branch: str) -> Iterator[None]:
    """The driver's failures to reach or open the database, as one readable DatabaseError."""
    try:
        yield
    except DBAPIError as e:
        reason = (str(e.orig) or type(e.orig).__name__).strip().splitlines()[0]
        raise DatabaseError(
            f"cannot open the {branch} database ({shown(engine.url)}, {URL_SETTINGS[branch]}): {reason}"
        ) from e


# -- Alembic's view of the scripts (loaded only when a database is not at head) -----------------------


def _config() -> Config:
    from alembic.config import Config

    return Config(str(_HERE / "alembic.ini"))


@functools.cache
def _script() -> Any:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_config())


def _revisions(branch: str) -> frozenset[str]:
    """Every revision of the branch this version knows."""
    return frozenset(r.revision for r in _script().iterate_revisions(f"{branch}@head", "base"))


def script_heads() -> dict[str, str]:
    """Each branch's head as the scripts say (``HEADS`` must agree)."""
    return {b: _script().get_revision(f"{b}@head").revision for b in BRANCHES}
