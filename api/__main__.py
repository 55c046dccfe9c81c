"""``python -m api``: the same as ``rag serve``."""

from rag.cli.serve import serve

serve()
