"""What the routes use, built once in the app's lifespan: the runtime (store, models, answerer), API
keys, the job runner, the blob store, the rate limiter and the metrics."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from api.keys import KeyStore
from api.metrics import Metrics
from api.ratelimit import RateLimiter
from ingest.blobs import BlobStore
from ingest.jobs import JobRunner, JobStore
from rag.runtime import Runtime

log = logging.getLogger(__name__)


@dataclass
class Services:
    runtime: Runtime
    keys: KeyStore
    jobs: JobStore
    runner: JobRunner
    blobs: BlobStore
    limiter: RateLimiter
    metrics: Metrics

    @classmethod
    def build(cls, runtime: Runtime) -> Services:
        s = runtime.settings
        jobs = JobStore(s.registry_url)
        blobs = BlobStore(s.blob_dir)
        runner = JobRunner(
            jobs,
            runtime.ingestor,
            blobs,
            workers=s.api.job_workers,
            timeout_s=s.api.job_timeout_s,
            heartbeat_s=s.api.heartbeat_s,
            max_attempts=s.api.job_max_attempts,
        )
        return cls(
            runtime=runtime,
            keys=KeyStore(s.registry_url),
            jobs=jobs,
            runner=runner,
            blobs=blobs,
            limiter=RateLimiter(s.api.rate_per_minute, s.api.rate_burst),
            metrics=Metrics(jobs),
        )

    def start(self) -> None:
        self.runtime.store  # noqa: B018 - opens (and reconciles) the index before the first request
        self.runtime.embedder.warm_up()
        self.runner.start()

    def close(self) -> None:
        self.runner.stop()
        self.jobs.close()
        self.keys.close()
        self.runtime.close()
