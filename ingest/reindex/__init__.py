"""Re-index: build a new index version beside the served one, verify it, switch in one step (see run.py)."""
