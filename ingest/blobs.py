"""Original files, kept by content hash so a re-index can parse them again (and a job can resume).

The same bytes uploaded twice (by one tenant or by two) are stored once, so a file is never deleted
because one of its users is done with it: every user holds a reference, a row of (digest, owner) in the
registry database, where an owner is a document (tenant, document id) or an ingestion job. A file is
deleted when its last reference goes, in the same lock and transaction as the check, so a concurrent
upload of the same bytes either keeps it or puts it back. References also measure what a tenant stores
(``usage``), which its quota bounds.

Files arrive whole (``put``) or streamed (``receive``: written to a local temporary file while hashed, so
an upload is never held in memory), and are put in place so that a reader never sees half a file.

Where they live is a directory (the default) or any fsspec URL (``s3://bucket/prefix`` with s3fs installed,
``memory://`` in tests), so that processes on several hosts share them. A local directory keeps the
temporary files in its ``tmp/`` and renames them into place (atomic on one filesystem). Another store gets
each file uploaded under a temporary key (``<prefix>/tmp/``) before the lock, the slow part, then moved to
its digest's key in the lock: a reader sees the whole file or none, whatever the backend's own ``put``
guarantees. Readers get the bytes (``get``), or a local file (``local``: the file itself, or a temporary
copy removed after).
"""

from __future__ import annotations

import hashlib
import logging
import posixpath
import re
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Literal

import fsspec
from fsspec.core import split_protocol
from fsspec.registry import known_implementations
from sqlalchemy import BigInteger, String, distinct, func, select, text
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from core.db import SqlStore, advisory_key
from core.errors import ConfigError, FileTooLarge, QuotaExceeded

log = logging.getLogger(__name__)

OwnerKind = Literal["document", "job"]
CHUNK_BYTES = 1 << 20
_BATCH = 500  # owners per lookup: well under SQLite's limit of bound parameters


def human_bytes(n: int) -> str:
    for unit, size in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= size:
            return f"{n / size:.1f} {unit}"
    return f"{n} bytes"


def _over_quota(tenant: str, used: int, would_be: int, quota: int) -> str:
    return (
        f"storing this would take the original files of tenant {tenant!r} to {human_bytes(would_be)}, "
        f"over its quota of {human_bytes(quota)} ({human_bytes(used)} in use; RAG_API__TENANT_QUOTA_MB); "
        "delete documents to make room"
    )


@dataclass(frozen=True)
class Owner:
    """Who needs an original: a tenant's document, or an ingestion job (of a tenant)."""

    kind: OwnerKind
    tenant: str
    id: str

    @classmethod
    def document(cls, tenant: str, doc_id: str) -> Owner:
        return cls("document", tenant, doc_id)

    @classmethod
    def job(cls, tenant: str, job_id: str) -> Owner:
        return cls("job", tenant, job_id)


def open_storage(url: str) -> tuple[Any, str]:
    """The fsspec filesystem and root path of ``url``; ConfigError, at start-up, for a protocol fsspec
    does not know or whose package is not installed."""
    protocol = split_protocol(url)[0] or "file"
    shown = _without_secret(url)
    try:
        return fsspec.core.url_to_fs(url)
    except ImportError as e:
        spec = known_implementations.get(protocol, {})
        package = spec.get("class", "").split(".")[0]
        hint = f"pip install {package}" if package and package != "fsspec" else str(e)
        raise ConfigError(
            f"blob storage {shown} (RAG_API__BLOB_URL): the {protocol}:// backend needs a package that is "
            f"not installed ({e}); install it beside rag-knowledge: {hint}"
        ) from e
    except ValueError as e:
        if protocol not in fsspec.available_protocols():
            raise ConfigError(
                f"blob storage {shown} (RAG_API__BLOB_URL): unknown protocol {protocol!r}; use a "
                "directory, file://, memory:// or a protocol of an installed fsspec backend "
                "(s3:// with s3fs, gs:// with gcsfs, az:// with adlfs)"
            ) from e
        raise ConfigError(f"blob storage {shown} (RAG_API__BLOB_URL) is not usable: {e}") from e


def _without_secret(url: str) -> str:
    """``url`` without the password a ``user:password@`` part may carry (it goes into messages)."""
    return re.sub(r"(://[^/@:]*):[^/@]*@", r"\1:<redacted>@", url)


@dataclass(frozen=True)
class Incoming:
    """A file received into a local temporary file, not yet kept."""

    path: Path
    digest: str
    size: int


class _Base(DeclarativeBase):
    pass


class _Ref(_Base):
    __tablename__ = "blob_refs"

    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    tenant: Mapped[str] = mapped_column(String(64), primary_key=True, index=True)
    owner: Mapped[str] = mapped_column(String(128), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger, default=0)


# One lock for every store of the process: check-and-delete and add-and-place never interleave. Across
# processes the database orders them (SQLite's write lock; PostgreSQL's advisory locks, ``_serialise``).
_LOCK = threading.RLock()


class BlobStore(SqlStore):
    branch = "registry"

    def __init__(
        self,
        location: Path | str,
        refs_url: str,
        in_use: Callable[[str], bool] | None = None,
        staging: Path | None = None,
        *,
        auto_upgrade: bool = True,
    ) -> None:
        """``location``: a directory, or an fsspec URL (``file://``, ``memory://``, ``s3://bucket/prefix``
        ...). ``staging``: the local directory where a remote store's files are received before they are
        uploaded (default: the system's temporary directory); a local store receives them in its own
        ``tmp/``. ``in_use(digest)`` may say a file is still needed though nothing references it
        (documents indexed before references existed): such a file is kept."""
        protocol = split_protocol(str(location))[0]
        if isinstance(location, Path) or protocol in (None, "file", "local"):
            self.fs, base = fsspec.filesystem("file"), str(location)
            self.root: Path | None = Path(self.fs._strip_protocol(base))
            self.base = str(self.root)
            self.temp_dir = self.root / "tmp"
        else:
            self.fs, self.base = open_storage(str(location))
            self.base = self.base.rstrip("/")
            self.root = None
            self.temp_dir = staging or Path(tempfile.gettempdir()) / "rag-blobs"
        self.url = _without_secret(str(location))
        super().__init__(refs_url, auto_upgrade=auto_upgrade)
        self.in_use = in_use

    def _key(self, digest: str) -> str:
        if len(digest) != 64 or not all(c in "0123456789abcdef" for c in digest):
            raise ValueError(f"not a sha256 digest: {digest!r}")
        return posixpath.join(self.base, digest[:2], digest)

    def path(self, digest: str) -> Path:
        """The file of ``digest`` in a local store (ValueError for a remote one: use ``local``)."""
        if self.root is None:
            raise ValueError(f"the originals are not in a local directory but at {self.url}")
        return Path(self._key(digest))

    # -- files in ------------------------------------------------------------------------------------

    def put(self, data: bytes, owner: Owner | None = None) -> str:
        """Store ``data`` (atomically; storing it twice is a no-op), referenced by ``owner``; its sha256."""
        digest = hashlib.sha256(data).hexdigest()
        # Stored already (a document ingested again): nothing is written. Else staged before the lock.
        staged = None if self.exists(digest) else self._stage(data)
        try:
            with _LOCK, self._session() as s:
                self._serialise(s, [digest])
                if owner is not None:
                    self._add(s, digest, owner, len(data))
                if staged is None and not self.exists(digest):  # its last reference went meanwhile
                    staged = self._stage(data)
                if staged is not None:
                    self._place(digest, staged)
                    staged = None
        finally:
            if staged is not None:
                self._remove(staged)
        return digest

    def receive(self, stream: BinaryIO, limit: int) -> Incoming:
        """Copy ``stream`` into a local temporary file, hashing it; more than ``limit`` bytes ->
        FileTooLarge (and nothing left behind). Keep it with ``keep`` or drop it with ``discard``."""
        tmp = self._temp_path()
        sha, size = hashlib.sha256(), 0
        try:
            with tmp.open("wb") as out:
                while chunk := stream.read(CHUNK_BYTES):
                    size += len(chunk)
                    if size > limit:
                        raise FileTooLarge(f"over the limit of {human_bytes(limit)}")
                    sha.update(chunk)
                    out.write(chunk)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        return Incoming(tmp, sha.hexdigest(), size)

    def keep(self, incoming: Incoming, owner: Owner) -> str:
        """Move a received file into place (or drop it if the same bytes are there), referenced by
        ``owner``."""
        self.keep_all([(incoming, owner)])
        return incoming.digest

    def keep_all(self, files: Sequence[tuple[Incoming, Owner]], quota: int | None = None) -> None:
        """``keep`` for several files, all or none. With ``quota``: QuotaExceeded, and nothing kept, if
        they would take a tenant's originals over ``quota`` bytes (bytes it already stores cost nothing).
        The check counts the references just added, in the lock and transaction that add them, so two
        uploads at once cannot each pass it on what the other has not yet added."""
        staged: dict[str, str] = {}
        try:
            for incoming, _ in files:  # before the lock: a remote store's uploads are the slow part
                if incoming.digest not in staged and (
                    self.root is not None or not self.exists(incoming.digest)
                ):
                    staged[incoming.digest] = self._stage(incoming.path)
            with _LOCK, self._session() as s:
                tenants = sorted({owner.tenant for _, owner in files})
                self._serialise(s, [incoming.digest for incoming, _ in files], tenants)
                before = {t: self._usage(s, t) for t in tenants} if quota is not None else {}
                for incoming, owner in files:
                    self._add(s, incoming.digest, owner, incoming.size)  # the write lock, with the first
                if quota is not None:
                    for tenant in tenants:
                        after = self._usage(s, tenant)
                        if after > before[tenant] and after > quota:
                            raise QuotaExceeded(_over_quota(tenant, before[tenant], after, quota))
                for incoming, _ in files:
                    key = staged.pop(incoming.digest, None)
                    if key is None and not self.exists(incoming.digest):  # deleted since staging looked
                        key = self._stage(incoming.path)
                    if key is not None:
                        self._place(incoming.digest, key)
                    incoming.path.unlink(missing_ok=True)
        finally:
            if self.root is None:  # refused: its uploads go (received files are the caller's to discard)
                for key in staged.values():
                    self._remove(key)

    def discard(self, incoming: Incoming) -> None:
        incoming.path.unlink(missing_ok=True)

    def clean_temp(self, older_than_s: float = 3600.0) -> int:
        """Delete temporary files a crash left behind (old enough that no upload still writes them):
        local ones, and a remote store's temporary keys."""
        now, n = time.time(), 0
        for tmp in self.temp_dir.glob("*.part"):
            try:
                if now - tmp.stat().st_mtime > older_than_s:
                    tmp.unlink()
                    n += 1
            except OSError:
                continue  # gone meanwhile
        if self.root is None:
            n += self._clean_remote_temp(now, older_than_s)
        return n

    def _clean_remote_temp(self, now: float, older_than_s: float) -> int:
        n = 0
        try:
            keys = self.fs.ls(posixpath.join(self.base, "tmp"), detail=False)
        except (FileNotFoundError, NotImplementedError):
            return 0
        for key in keys:
            try:
                if now - self.fs.modified(key).timestamp() > older_than_s:
                    self.fs.rm_file(key)
                    n += 1
            except (OSError, NotImplementedError):
                continue  # gone meanwhile, or a backend that does not date its files
        return n

    def _temp_path(self) -> Path:
        # Unique per call, not per process: two threads storing the same bytes must not share a name.
        tmp = self.temp_dir / f"{uuid.uuid4().hex}.part"
        tmp.parent.mkdir(parents=True, exist_ok=True)
        return tmp

    def _stage(self, source: Path | bytes) -> str:
        """A copy of ``source`` ready to be moved into place, and its key: a file in a local store's
        ``tmp/`` (a received file already is one), else an upload under a temporary key (the slow part,
        done outside the lock when it can)."""
        if self.root is not None:
            if isinstance(source, Path):
                return str(source)
            tmp = self._temp_path()
            tmp.write_bytes(source)
            return str(tmp)
        key = posixpath.join(self.base, "tmp", f"{uuid.uuid4().hex}.part")
        if isinstance(source, Path):
            self.fs.put_file(str(source), key)
        else:
            self.fs.pipe_file(key, source)
        return key

    def _place(self, digest: str, staged: str) -> None:
        """In the lock: move a staged copy to ``digest``'s key, or drop it if the same bytes are there.
        The final key appears whole whatever the backend: a rename on a local disk, a move from the
        temporary key (a server-side copy on object stores) elsewhere."""
        final = self._key(digest)
        if self.fs.exists(final):
            self._remove(staged)
        elif self.root is not None:
            Path(final).parent.mkdir(parents=True, exist_ok=True)
            Path(staged).replace(final)
        else:
            self.fs.makedirs(posixpath.dirname(final), exist_ok=True)
            self.fs.mv(staged, final)

    def _remove(self, key: str) -> None:
        with suppress(FileNotFoundError):
            self.fs.rm_file(key)

    # -- references ----------------------------------------------------------------------------------

    def hold(self, owner: Owner, digests: Iterable[str]) -> None:
        """Reference stored files for ``owner`` (files not stored are skipped)."""
        self.hold_all((owner, d) for d in digests)

    def hold_all(self, refs: Iterable[tuple[Owner, str]]) -> None:
        """``hold`` for many owners, in one transaction. References already there cost a lookup per
        batch of owners, not a query per reference: holding what is held is cheap (every start does it
        for every document)."""
        wanted = {(digest, owner.kind, owner.tenant, owner.id) for owner, digest in refs}
        if not wanted:
            return
        with _LOCK, self._session() as s:
            have = self._refs_of(s, {(kind, oid) for _, kind, _, oid in wanted})
            for digest, kind, tenant, oid in sorted(wanted - have):
                try:
                    size = self.size(digest)
                except FileNotFoundError:
                    continue  # not stored: nothing to hold
                s.add(_Ref(digest=digest, kind=kind, tenant=tenant, owner=oid, size=size))

    @staticmethod
    def _refs_of(s: Session, owners: Collection[tuple[str, str]]) -> set[tuple[str, str, str, str]]:
        """(digest, kind, tenant, owner) of the references of these (kind, owner id) pairs (and of
        other tenants' owners of the same ids): a query per batch of owners."""
        pairs = sorted(owners)
        have: set[tuple[str, str, str, str]] = set()
        for at in range(0, len(pairs), _BATCH):
            batch = pairs[at : at + _BATCH]
            q = select(_Ref.digest, _Ref.kind, _Ref.tenant, _Ref.owner).where(
                _Ref.kind.in_({k for k, _ in batch}), _Ref.owner.in_([o for _, o in batch])
            )
            have.update(tuple(row) for row in s.execute(q))
        return have

    def release(self, owner: Owner, keep: Collection[str] = ()) -> list[str]:
        """Drop ``owner``'s references except to ``keep``; delete the files nothing references any
        more. Returns the digests deleted."""
        deleted = []
        with _LOCK, self._session() as s:
            mine = (_Ref.kind == owner.kind) & (_Ref.tenant == owner.tenant) & (_Ref.owner == owner.id)
            rows = s.scalars(select(_Ref).where(mine)).all()
            dropped = {r.digest for r in rows if r.digest not in keep}
            for r in rows:
                if r.digest in dropped:
                    s.delete(r)
            s.flush()  # takes the database's write lock before anything is checked
            self._serialise(s, dropped)
            for digest in sorted(dropped):
                if s.scalar(select(func.count()).select_from(_Ref).where(_Ref.digest == digest)):
                    continue
                if self.in_use is not None and self.in_use(digest):
                    continue
                self._remove(self._key(digest))
                deleted.append(digest)
        if deleted:
            log.info("deleted %d original(s) nothing references: %s", len(deleted), ", ".join(deleted))
        return deleted

    def sync(self, owner: Owner, digests: Collection[str]) -> list[str]:
        """Make ``owner`` reference exactly ``digests``; returns the digests deleted."""
        return self.sync_all([(owner, digests)])

    def sync_all(self, wanted: Sequence[tuple[Owner, Collection[str]]]) -> list[str]:
        """``sync`` for several owners. An owner that references nothing else costs no transaction of its
        own (the common case: a document written once): a batch of 100 costs two, not 200."""
        with _LOCK:
            self.hold_all((owner, d) for owner, digests in wanted for d in digests)
            with self._session() as s:
                have = self._refs_of(s, {(owner.kind, owner.id) for owner, _ in wanted})
            held: dict[tuple[str, str, str], set[str]] = {}
            for digest, kind, tenant, oid in have:
                held.setdefault((kind, tenant, oid), set()).add(digest)
            deleted = []
            for owner, digests in wanted:
                if held.get((owner.kind, owner.tenant, owner.id), set()) - set(digests):
                    deleted += self.release(owner, keep=digests)
            return deleted

    def owners(self, kind: OwnerKind) -> list[Owner]:
        with self._session() as s:
            rows = s.execute(select(_Ref.tenant, _Ref.owner).where(_Ref.kind == kind).distinct()).all()
        return [Owner(kind, tenant, oid) for tenant, oid in rows]

    def usage(self, tenant: str) -> int:
        """Bytes of the originals ``tenant``'s documents and jobs reference, each file counted once."""
        with self._session() as s:
            return self._usage(s, tenant)

    @staticmethod
    def _usage(s: Session, tenant: str) -> int:
        per_file = (
            select(_Ref.digest, func.max(_Ref.size).label("size"))
            .where(_Ref.tenant == tenant)
            .group_by(_Ref.digest)
            .subquery()
        )
        return int(s.scalar(select(func.coalesce(func.sum(per_file.c.size), 0))) or 0)

    def count(self, kind: OwnerKind) -> int:
        with self._session() as s:
            return int(s.scalar(select(func.count(distinct(_Ref.owner))).where(_Ref.kind == kind)) or 0)

    def _serialise(self, s: Session, digests: Iterable[str], tenants: Iterable[str] = ()) -> None:
        """Across processes, what is decided about a file (kept, placed, deleted with its last
        reference) and a tenant's quota check are done one transaction at a time. SQLite's single write
        lock already orders them; on PostgreSQL (read committed) a release could count the references
        without seeing another process's uncommitted one and delete the file it keeps: transaction
        advisory locks, per file and per tenant, taken in one order, released at commit."""
        if self.engine.dialect.name != "postgresql":
            return
        keys = sorted({(1, advisory_key(d)) for d in digests} | {(2, advisory_key(t)) for t in tenants})
        for space, key in keys:
            s.execute(text("SELECT pg_advisory_xact_lock(:space, :key)"), {"space": space, "key": key})

    def _add(self, s: Session, digest: str, owner: Owner, size: int) -> None:
        key = (digest, owner.kind, owner.tenant, owner.id)
        if s.get(_Ref, key) is None:
            s.add(_Ref(digest=digest, kind=owner.kind, tenant=owner.tenant, owner=owner.id, size=size))
            s.flush()  # the write lock, before the file is placed

    # -- reading -------------------------------------------------------------------------------------

    def get(self, digest: str) -> bytes:
        return self.fs.cat_file(self._key(digest))

    def size(self, digest: str) -> int:
        """The file's size in bytes; FileNotFoundError when it is not stored."""
        return int(self.fs.size(self._key(digest)))

    @contextmanager
    def local(self, digest: str) -> Iterator[Path]:
        """A local file with ``digest``'s bytes for the ``with`` block: the file itself in a local store, a
        temporary copy (removed after) from a remote one. FileNotFoundError when it is not stored."""
        if self.root is not None:
            path = self.path(digest)
            if not path.exists():
                raise FileNotFoundError(str(path))
            yield path
            return
        tmp = self._temp_path()
        try:
            self.fs.get_file(self._key(digest), str(tmp))
            yield tmp
        finally:
            tmp.unlink(missing_ok=True)

    def exists(self, digest: str) -> bool:
        return bool(self.fs.exists(self._key(digest)))

    def delete(self, digest: str) -> None:
        """Delete a file whatever references it (tests simulate a lost original with it)."""
        self._remove(self._key(digest))
