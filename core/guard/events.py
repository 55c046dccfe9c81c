"""GuardEvent: one guard's decision about one text, in the shape traces, metrics and the API share."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Verdict = Literal["pass", "flagged"]
# none: let through as is; masked/redacted: text replaced; excluded: left out of the prompt; quoted: put in
# with a warning; recorded: let through, the flag kept; refused: the request ends with reason "policy".
Action = Literal["none", "masked", "redacted", "excluded", "quoted", "recorded", "refused"]


@dataclass(frozen=True)
class GuardEvent:
    guard: str  # pii | injection | prompt_leak | secrets | output_pii | deny
    verdict: Verdict
    action: Action
    score: float | None = None
    reason: str | None = None  # in words, never the offending text itself
    target: str = "answer"  # question | chunk | answer | trace
    detail: dict[str, Any] = field(default_factory=dict)  # counts by type, chunk ids: no content

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
