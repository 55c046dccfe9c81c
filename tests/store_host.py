"""A stand-in for a Qdrant server, for tests whose processes share one index.

No Qdrant server runs here, and the embedded engines are one-process only (Qdrant Edge locks its
directory; qdrant-client's local mode lives in the memory of the process that made it). So one
``QdrantClient(":memory:")`` lives in a "store host" process of its own (multiprocessing, spawn), and
other processes reach it over loopback TCP through ``multiprocessing.managers`` (with an auth key): every
call a method name and its arguments, pickled, run in the host under one lock (local mode is not
thread-safe), its result pickled back. One store object in one process, shared by every runtime, as a
Qdrant server is; the processes using it can be killed with -9 without taking the index with them.

A process gets it as ``ServerVersions`` (``versions(address, key)``): the adapter sees a client that is
not local mode (``core.store.calls.is_local``), so it takes no lock of its own, as with a real server.
"""

from __future__ import annotations

import multiprocessing
import os
import secrets
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing.managers import BaseManager
from typing import Any

ALIAS = "rag"
ENV_ADDRESS = "CHAOS_STORE_ADDRESS"
ENV_KEY = "CHAOS_STORE_KEY"


class Engine:
    """In the host: the one engine, every call serialised."""

    def __init__(self) -> None:
        from qdrant_client import QdrantClient

        # Local mode warns that it ignores payload indexes: known (search is exact there).
        warnings.filterwarnings("ignore", message="Payload indexes have no effect")
        self._client = QdrantClient(":memory:")
        self._lock = threading.Lock()

    def call(self, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        if name.startswith("_") or name == "close":
            raise AttributeError(name)
        with self._lock:
            return getattr(self._client, name)(*args, **kwargs)


_engine: Engine | None = None


def _the_engine() -> Engine:
    global _engine
    if _engine is None:
        _engine = Engine()
    return _engine


class _Host(BaseManager):
    pass


_Host.register("engine", callable=_the_engine)


class RemoteClient:
    """In a user process: looks like a ``QdrantClient`` to ``core.store.server``; each method a call in
    the host. ``close`` leaves the host's engine open (other processes use it)."""

    def __init__(self, engine: Any) -> None:
        self._engine = engine

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)

        def call(*args: Any, **kwargs: Any) -> Any:
            return self._engine.call(name, args, kwargs)

        return call

    def close(self) -> None:
        pass


@dataclass(frozen=True)
class Address:
    host: str
    port: int
    key: bytes

    def env(self) -> dict[str, str]:
        """How a child process finds the host (``from_env``)."""
        return {ENV_ADDRESS: f"{self.host}:{self.port}", ENV_KEY: self.key.hex()}

    @classmethod
    def from_env(cls) -> Address:
        host, port = os.environ[ENV_ADDRESS].rsplit(":", 1)
        return cls(host, int(port), bytes.fromhex(os.environ[ENV_KEY]))


def client(address: Address) -> RemoteClient:
    manager = _Host(address=(address.host, address.port), authkey=address.key)
    manager.connect()
    return RemoteClient(manager.engine())  # type: ignore[attr-defined]


def versions(address: Address) -> Any:
    """The index versions on the host, as a process of the product opens a Qdrant server's."""
    from core.store.server import ServerVersions

    return ServerVersions(client(address), ALIAS)


@contextmanager
def running() -> Iterator[Address]:
    """A store host process on a free loopback port, until the block ends."""
    key = secrets.token_bytes(16)
    manager = _Host(address=("127.0.0.1", 0), authkey=key, ctx=multiprocessing.get_context("spawn"))
    manager.start()
    host, port = manager.address  # type: ignore[misc]
    try:
        yield Address(host, port, key)
    finally:
        manager.shutdown()
