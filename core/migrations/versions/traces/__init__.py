"""Revisions of one branch (core.migrations)."""
