"""The revisions, one directory per branch (core.migrations)."""
