"""Guards on what goes into the index and the model and what comes out: PII (Presidio), prompt injection,
secrets. Detectors only: ingest.guard applies them to chunks, rag.guardrails to questions and answers,
and every decision is a ``GuardEvent`` in the trace and in ``rag_guardrail_events_total``."""
