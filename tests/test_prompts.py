"""Versioned prompt templates: identity, rendering, validation, A/B variants."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from core.errors import PromptError
from rag.prompt.templates import PACKAGED, PromptLibrary, load_template, pick_variant

TEMPLATE = '''name = "{name}"
version = {version}
description = "test"
variables = {variables}

[[messages]]
role = "system"
content = "You are terse."

[[messages]]
role = "user"
content = """{content}"""
'''


def _write(
    d: Path, name: str = "t", version: int = 1, variables: str = '["q"]', content: str = "Q: $q"
) -> Path:
    d.mkdir(exist_ok=True)
    path = d / f"{name}@{version}.toml"
    path.write_text(TEMPLATE.format(name=name, version=version, variables=variables, content=content))
    return path


def test_packaged_templates_load_with_ids_and_hashes() -> None:
    lib = PromptLibrary()
    assert {"answer@1", "answer@2", "rewrite@1"} <= set(lib.ids())
    a1 = lib.get("answer@1")
    assert a1.variables == ("sources", "question") and len(a1.hash) == 12
    assert lib.get("answer").version == max(t.version for t in map(lib.get, ["answer@1", "answer@2"]))
    assert a1.hash != lib.get("answer@2").hash
    assert a1.info("ab") == {"name": "answer", "version": 1, "hash": a1.hash, "variant": "ab"}


def test_hash_changes_when_the_text_changes(tmp_path: Path) -> None:
    h1 = load_template(_write(tmp_path / "a", content="Q: $q")).hash
    h2 = load_template(_write(tmp_path / "b", content="Question: $q")).hash
    assert h1 != h2


def test_render_substitutes_once_and_checks_variables(tmp_path: Path) -> None:
    t = load_template(_write(tmp_path))
    # A value that looks like a placeholder stays literal: documents cannot inject variables.
    assert t.render(q="what is $q?")[1]["content"] == "Q: what is $q?"
    with pytest.raises(PromptError, match="missing"):
        t.render()
    with pytest.raises(PromptError, match="unknown"):
        t.render(q="x", other="y")


@pytest.mark.parametrize(
    ("variables", "content", "error"),
    [
        ('["q", "unused"]', "Q: $q", "declares variables"),
        ('["q"]', "Q: $q and $undeclared", "declares variables"),
        ('["q"]', "costs 5$ : $q", "literal dollar"),
    ],
)
def test_malformed_templates_are_refused(tmp_path: Path, variables: str, content: str, error: str) -> None:
    with pytest.raises(PromptError, match=error):
        load_template(_write(tmp_path, variables=variables, content=content))


def test_not_a_template_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "x.toml"
    bad.write_text("name = 'x'\n")
    with pytest.raises(PromptError, match="not a prompt template"):
        load_template(bad)


def test_one_id_with_two_contents_is_refused(tmp_path: Path) -> None:
    _write(tmp_path / "a", content="Q: $q")
    _write(tmp_path / "b", content="Other: $q")
    with pytest.raises(PromptError, match="defined twice"):
        PromptLibrary([tmp_path / "a", tmp_path / "b"])


def test_operator_templates_extend_the_packaged_ones(tmp_path: Path) -> None:
    _write(
        tmp_path, name="answer", version=7, variables='["sources", "question"]', content="$sources\n$question"
    )
    lib = PromptLibrary([PACKAGED, tmp_path])
    assert lib.get("answer").version == 7 and lib.get("answer@1").version == 1
    with pytest.raises(PromptError, match="no prompt template answer@9"):
        lib.get("answer@9")


def test_variant_assignment_is_sticky_and_near_its_weights() -> None:
    weights = {"answer@1": 0.3, "answer@2": 0.7}
    draws = Counter(pick_variant(weights, f"conversation-{i}") for i in range(10_000))
    assert abs(draws["answer@1"] / 10_000 - 0.3) < 0.02
    assert all(
        pick_variant(weights, "conversation-42") == pick_variant(weights, "conversation-42") for _ in range(5)
    )
    assert pick_variant({"answer@1": 0.0, "answer@2": 1.0}, "any") == "answer@2"


def test_choose_prefers_the_override_then_the_test_then_the_default() -> None:
    lib = PromptLibrary()
    weights = {"answer@1": 0.5, "answer@2": 0.5}
    assert lib.choose("answer@1", weights, "c", override="answer@2")[0].id == "answer@2"
    assert lib.choose("answer@1", weights, "c", override="answer@2")[1] == "override"
    t, how = lib.choose("answer@1", weights, "c")
    assert how == "ab" and t.id == pick_variant(weights, "c")
    assert lib.choose("answer@1", {}, "c") == (lib.get("answer@1"), "default")
