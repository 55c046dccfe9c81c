"""``rag worker``: a process that runs ingestion jobs, reconciles what dead processes left and runs
re-indexes, beside API replicas started with ``rag serve --no-workers`` on the same registry."""

from __future__ import annotations

import logging
import signal
import threading
from types import FrameType

from app.cli.common import console_err
from app.runtime import Runtime
from core import offline
from core.settings import get_settings


def worker() -> None:
    """Run ingestion jobs, reconcile and re-indexes until stopped (SIGTERM or Ctrl-C: running jobs go
    back in line, a re-index pauses and resumes in the next worker)."""
    from api.services import Services

    offline.set_env()
    settings = get_settings()
    logging.basicConfig(level=settings.log_level, format="%(levelname)s %(name)s: %(message)s")
    stop = threading.Event()

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        logging.getLogger(__name__).warning("stopping on %s", signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    services = Services.build(Runtime(settings, role="worker"), serving=False)
    try:
        services.start()
        console_err.print(
            f"worker {settings.api.job_workers} job thread(s) on {settings.registry_url.split('://')[0]} "
            f"registry; stop with Ctrl-C",
            soft_wrap=True,
        )
        stop.wait()
    finally:
        services.close()
