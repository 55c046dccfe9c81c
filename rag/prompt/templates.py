"""Versioned prompt templates: TOML files with a name, a version, a description, the variables they take
and chat messages. A template is identified by name, version and the hash of its content, so an edited
file can never pass for the version it replaced; the one used is returned with every answer.

Variants for A/B tests are weights over ``name@version`` ids; a conversation always gets the same one
(the choice is a hash of the conversation id), and a request may name a template to override the draw.
"""

from __future__ import annotations

import hashlib
import json
import string
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.errors import PromptError
from rag.llm.base import Message

PACKAGED = Path(__file__).parent / "templates"
_ROLES = {"system", "user", "assistant"}


@dataclass(frozen=True, slots=True)
class PromptTemplate:
    name: str
    version: int
    description: str
    variables: tuple[str, ...]
    messages: tuple[tuple[str, str], ...]  # (role, template text)
    path: str

    @property
    def id(self) -> str:
        return f"{self.name}@{self.version}"

    @property
    def hash(self) -> str:
        canonical = json.dumps(
            {
                "name": self.name,
                "version": self.version,
                "variables": self.variables,
                "messages": self.messages,
            }
        )
        return hashlib.sha256(canonical.encode()).hexdigest()[:12]

    def render(self, **values: str) -> list[Message]:
        missing = set(self.variables) - values.keys()
        extra = values.keys() - set(self.variables)
        if missing or extra:
            raise PromptError(
                f"prompt {self.id} takes {sorted(self.variables)}; "
                f"missing {sorted(missing)}, unknown {sorted(extra)}"
            )
        # string.Template substitutes once: a "$question" inside a document stays literal text.
        return [
            {"role": role, "content": string.Template(text).substitute(values)}
            for role, text in self.messages
        ]

    def info(self, variant: str | None = None) -> dict[str, Any]:
        return {"name": self.name, "version": self.version, "hash": self.hash, "variant": variant}


def load_template(path: Path) -> PromptTemplate:
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
        name, version = str(raw["name"]), int(raw["version"])
        variables = tuple(str(v) for v in raw["variables"])
        messages = tuple((str(m["role"]), str(m["content"])) for m in raw["messages"])
    except (OSError, tomllib.TOMLDecodeError, KeyError, TypeError, ValueError) as e:
        raise PromptError(f"{path}: not a prompt template (name, version, variables, messages): {e}") from e
    if not messages or any(role not in _ROLES for role, _ in messages):
        raise PromptError(f"{path}: messages need roles among {sorted(_ROLES)}")
    used: set[str] = set()
    for _, text in messages:
        template = string.Template(text)
        if not template.is_valid():
            raise PromptError(f"{path}: a '$' that is not a variable; write '$$' for a literal dollar sign")
        used |= set(template.get_identifiers())
    if used != set(variables):
        raise PromptError(f"{path}: declares variables {sorted(variables)} but uses {sorted(used)}")
    return PromptTemplate(name, version, str(raw.get("description", "")), variables, messages, str(path))


class PromptLibrary:
    """Every template from the packaged directory and, if set, an operator's own directory."""

    def __init__(self, dirs: Iterable[Path] = (PACKAGED,)) -> None:
        self._by_id: dict[str, PromptTemplate] = {}
        for d in dirs:
            if not d.is_dir():
                raise PromptError(f"prompt directory {d} does not exist")
            for path in sorted(d.glob("*.toml")):
                t = load_template(path)
                seen = self._by_id.get(t.id)
                if seen is not None and seen.hash != t.hash:
                    raise PromptError(f"{t.id} is defined twice with different content: {seen.path}, {path}")
                self._by_id[t.id] = t

    def ids(self) -> list[str]:
        return sorted(self._by_id)

    def get(self, spec: str) -> PromptTemplate:
        """``name@version``, or a bare name for its highest version."""
        name, _, version = spec.partition("@")
        if version:
            if spec not in self._by_id:
                raise PromptError(f"no prompt template {spec}; known: {', '.join(self.ids())}")
            return self._by_id[spec]
        versions = [t for t in self._by_id.values() if t.name == name]
        if not versions:
            raise PromptError(f"no prompt template named {name!r}; known: {', '.join(self.ids())}")
        return max(versions, key=lambda t: t.version)

    def choose(
        self, default: str, variants: Mapping[str, float], sticky_key: str, override: str | None = None
    ) -> tuple[PromptTemplate, str]:
        """The template for one request and how it was chosen: "override", "ab" (drawn) or "default"."""
        if override:
            return self.get(override), "override"
        if not variants:
            return self.get(default), "default"
        return self.get(pick_variant(variants, sticky_key)), "ab"


def pick_variant(variants: Mapping[str, float], sticky_key: str) -> str:
    """A weighted draw that depends only on the key: the same conversation always lands on one variant."""
    total = sum(variants.values())
    digest = hashlib.sha256(sticky_key.encode()).digest()
    u = int.from_bytes(digest[:8], "big") / 2**64 * total
    acc = 0.0
    for spec, weight in sorted(variants.items()):
        acc += weight
        if u < acc:
            return spec
    return max(variants, key=lambda s: variants[s])
