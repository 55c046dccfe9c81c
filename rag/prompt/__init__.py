"""Prompt: versioned templates (``templates``), A/B variant choice, and the context block the
retrieved chunks become (``context``)."""
