"""What a re-index changes (``Options``, from the CLI or the API) -> the settings of the new version."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from core.errors import ConfigError, InvalidRequest
from core.settings import Settings
from ingest.fingerprint import build_groups, with_build


@dataclass(frozen=True)
class Options:
    """What a re-index changes; None keeps the configured value."""

    embedding_model: str | None = None
    embedding_model_path: Path | None = None
    embedding_backend: str | None = None
    chunk_size: int | None = None
    chunk_overlap: int | None = None
    incremental: bool = False
    # Copy every document (vectors and all) into a new version to build its search graph, even when none
    # needs rebuilding: the way to index a version that grew past store.hnsw_min_points by ingestion.
    optimize: bool = False


def up_to_date(opts: Options) -> str:
    """What a re-index that has nothing to do says."""
    said = "every document is already built with these settings"
    if opts.optimize:
        said += (
            ", and the search graph is up to date (fewer than store.hnsw_min_points points are searched "
            "without it)"
        )
    return said


def target_settings(settings: Settings, opts: Options) -> Settings:
    build = build_groups(settings)
    e, c = build["embedding"], build["chunking"]
    if opts.embedding_model is not None and opts.embedding_model != e["model_name"]:
        if opts.embedding_model_path is None:
            raise InvalidRequest(
                f"the files of {opts.embedding_model} are needed too (embedding_model_path, a local "
                "sentence-transformers directory): nothing is downloaded"
            )
        e["model_name"] = opts.embedding_model
    if opts.embedding_model_path is not None:
        path = Path(opts.embedding_model_path)
        if not (path / "config.json").is_file():
            raise InvalidRequest(f"{path} is not a sentence-transformers model directory (no config.json)")
        e["model_path"] = str(path)
    if opts.embedding_backend is not None:
        e["backend"] = opts.embedding_backend
    if opts.chunk_size is not None:
        c["size_tokens"] = opts.chunk_size
    if opts.chunk_overlap is not None:
        c["overlap_tokens"] = opts.chunk_overlap
    try:
        return with_build(settings, build)
    except ConfigError as e:
        raise InvalidRequest(f"these re-index settings are not possible: {e}") from e
