"""Ingestion: parse -> chunk -> embed (dense and sparse) -> write, with a registry of documents."""
