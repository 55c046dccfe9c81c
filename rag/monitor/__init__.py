"""Monitor: a trace per request (``traces``), quality signals that need no LLM judge (``signals``),
drift between a baseline and a recent window (``drift``), aggregates for the dashboard and prompt
comparisons (``aggregate``), and optional OpenTelemetry spans (``otel``)."""
