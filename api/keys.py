"""API keys: each bound to one tenant, optionally admin, stored as a SHA-256 hash (the key itself is shown
once, at creation). Keys are ``rk_<id>_<secret>``: the id finds the row, the secret is compared in
constant time against its hash. 32 random bytes need no slow hash: there is nothing to brute-force."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Boolean, DateTime, String, select
from sqlalchemy.orm import registry

from core.db import SqlStore, column, map_record, utcnow

PREFIX = "rk"


_tables = registry()


@dataclass
class _Key:
    """One API key, one row of ``api_keys``: its secret only as a hash."""

    id: str = column(String(16), primary_key=True)
    secret_hash: str = column(String(64))
    tenant: str = column(String(64), index=True)
    admin: bool = column(Boolean, default=False)
    name: str = column(String(200), default="")
    # Read back as stored (``rag keys list`` shows it so): no time zone on SQLite.
    created_at: dt.datetime = column(DateTime(timezone=True), default_factory=utcnow)
    revoked_at: dt.datetime | None = column(DateTime(timezone=True), default=None)


map_record(_Key, "api_keys", _tables)


@dataclass(frozen=True)
class Principal:
    """Who is calling: the key's id (for rate limits and logs), its tenant, and whether it is admin."""

    key_id: str
    tenant: str
    admin: bool

    def to_dict(self) -> dict[str, Any]:
        return {"key_id": self.key_id, "tenant": self.tenant, "admin": self.admin}


class KeyStore(SqlStore):
    branch = "registry"

    def create(self, tenant: str, admin: bool = False, name: str = "") -> tuple[str, Principal]:
        """A new key: returns the key (shown once, never stored) and whom it identifies."""
        key_id = secrets.token_hex(6)
        secret = secrets.token_urlsafe(32)
        with self._session() as s:
            s.add(_Key(id=key_id, secret_hash=_hash(secret), tenant=tenant, admin=admin, name=name))
        return f"{PREFIX}_{key_id}_{secret}", Principal(key_id, tenant, admin)

    def verify(self, key: str) -> Principal | None:
        prefix, _, rest = key.partition("_")
        key_id, _, secret = rest.partition("_")
        if prefix != PREFIX or not key_id or not secret:
            return None
        with self._session() as s:
            row = s.get(_Key, key_id)
            if row is None or row.revoked_at is not None:
                return None
            if not hmac.compare_digest(row.secret_hash, _hash(secret)):
                return None
            return Principal(row.id, row.tenant, row.admin)

    def list(self) -> list[dict[str, Any]]:
        with self._session() as s:
            return [
                {
                    "id": r.id,
                    "tenant": r.tenant,
                    "admin": r.admin,
                    "name": r.name,
                    "created_at": r.created_at.isoformat(),
                    "revoked": r.revoked_at is not None,
                }
                for r in s.scalars(select(_Key).order_by(_Key.created_at))
            ]

    def revoke(self, key_id: str) -> bool:
        with self._session() as s:
            row = s.get(_Key, key_id)
            if row is None or row.revoked_at is not None:
                return False
            row.revoked_at = utcnow()
            return True


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()
