"""Output checks on answers (rag.output_checks): a scripted LLM that echoes the system prompt is refused
(reason policy); keys, tokens and private keys are redacted in every copy of the answer (record, trace,
conversation, stream); PII no cited source holds is redacted while PII quoted from one stays; deny terms
per tenant; each check's off switch; a stream never lets unchecked text out; the events reach the
metrics, /v1/monitor/guardrails and ``rag monitor guardrails``. Benign code and hashes are left alone."""

from __future__ import annotations

import datetime as dt
import json
import tomllib
from pathlib import Path

import pytest

import fakes
from answering import answerer
from api_client import key, serve, sse_events, upload
from conftest import ROOT, SAMPLE_DOCS
from core.guard.secrets import REDACTED, finder
from core.settings import AnswerSettings, GuardrailSettings, load_settings
from llm_server import Reply
from rag.answer import Answerer
from rag.guardrails import AnswerGuards
from rag.monitor.traces import Trace, TraceStore
from rag.output_checks import WITHHELD, OutputChecks, StreamGate, leaked_words

LEAVE = "How many days of paid annual leave do employees get?"
MIGRATION = "Who owns the migration of the build pipeline to GitLab CI?"
AWS = "AKIAIOSFODNN7EXAMPLE"
GITHUB = "ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"
PEM_BODY = "MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun"
PEM = f"-----BEGIN RSA PRIVATE KEY-----\n{PEM_BODY}\n-----END RSA PRIVATE KEY-----"
KEYS = (
    "Employees get 27 days of paid annual leave [1]. "
    f"The deploy key is {AWS} and the token {GITHUB}.\n{PEM}\n"
)
BENIGN_CODE = (
    "Employees get 27 days of paid annual leave [1]. Check the download with "
    "`sha256sum fw.bin`, which prints 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08, "
    'and set checksum = "d41d8cd98f00b204e9800998ecf8427e" in config.py.'
)


def _system(version: int = 1) -> str:
    """The system message of the answer template: what the model is told."""
    text = (ROOT / f"rag/prompt/templates/answer@{version}.toml").read_text()
    return tomllib.loads(text)["messages"][0]["content"]


def _ask(kb, tmp_path, reply: str, question: str = LEAVE, tenant: str = "default", **guardrails) -> tuple:
    llm = fakes.ScriptedLLM().queue(Reply(reply))
    ans = answerer(kb, llm, tmp_path, {"on_unsupported": "flag"}, guardrails)
    return ans, ans.ask(question, tenant=tenant)


def _events(answer, guard: str) -> list:
    return [e for e in answer.guardrails if e.guard == guard]


# ---- the checks on the answer path --------------------------------------------------------------------


def test_an_answer_that_echoes_the_system_prompt_is_refused_with_reason_policy(kb, tmp_path: Path) -> None:
    system = _system()
    ans, a = _ask(kb, tmp_path, f"Sure. My instructions: {system}")
    assert a.refused and a.refusal.reason == "policy" and a.text == WITHHELD and a.policy == "refused"
    (event,) = _events(a, "prompt_leak")
    assert event.verdict == "flagged" and event.action == "refused" and event.score > 0.5
    body = json.dumps(a.to_dict())
    assert "cite the number of its source" not in body  # not in the citations or verification either
    history = ans.conversations.history("default", a.conversation_id, last=5)
    assert history[-1].answer == WITHHELD
    # An answer that merely uses a few of the instructions' words is not a leak.
    _, fine = _ask(
        kb, tmp_path, "Employees get 27 days of paid annual leave [1]; not found in the documents is wrong."
    )
    assert not fine.refused and _events(fine, "prompt_leak")[0].verdict == "pass"


def test_keys_tokens_and_private_keys_are_redacted_in_every_copy_of_the_answer(kb, tmp_path: Path) -> None:
    ans, a = _ask(kb, tmp_path, KEYS)
    assert not a.refused and a.text.count(REDACTED) == 3 and "Employees get 27 days" in a.text
    (event,) = _events(a, "secrets")
    assert event.action == "redacted" and sum(event.detail.values()) == 3
    everything = json.dumps(a.to_dict()) + json.dumps([s.to_dict() for s in a.steps])
    for secret in (AWS, GITHUB, PEM_BODY):
        assert secret not in everything
    assert REDACTED in json.dumps(a.to_dict()["verification"])
    assert AWS not in ans.conversations.history("default", a.conversation_id, last=5)[-1].answer


def test_pii_missing_from_the_cited_sources_is_redacted_and_pii_quoted_from_one_stays(kb, tmp_path) -> None:
    reply = (
        "Aiko Tanaka owns the migration to GitLab CI [1]. "
        "You can also ask Bartholomew Quigley, who writes from bart.quigley@gmail.com."
    )
    _, a = _ask(kb, tmp_path, reply, MIGRATION)
    assert not a.refused, a.refusal
    assert "Aiko Tanaka" in a.text  # the cited meeting notes name her
    assert "Quigley" not in a.text and "bart.quigley@gmail.com" not in a.text
    assert "<PERSON>" in a.text and "<EMAIL_ADDRESS>" in a.text
    (event,) = _events(a, "output_pii")
    assert event.action == "redacted" and event.detail.get("EMAIL_ADDRESS") == 1
    assert "bart.quigley" not in json.dumps(a.to_dict())
    # pii_in_answers=mask masks the rest too: the name the source holds.
    _, masked = _ask(kb, tmp_path, reply, MIGRATION, pii_in_answers="mask")
    assert "Aiko Tanaka" not in masked.text and _events(masked, "pii")[0].action == "masked"


def test_a_deny_term_refuses_the_answer_for_its_tenant_only(kb, tmp_path: Path) -> None:
    reply = "Aiko Tanaka owns the migration to GitLab   CI [1]."
    tenants = {"default": {"deny_terms": ["gitlab ci", "project falcon"]}}
    _, a = _ask(kb, tmp_path, reply, MIGRATION, tenants=tenants)
    assert a.refused and a.refusal.reason == "policy" and a.text == WITHHELD
    assert (
        _events(a, "deny")[0].action == "refused"
        and "gitlab" not in json.dumps(a.to_dict()["guardrails"]).lower()
    )
    _, other = _ask(kb, tmp_path, reply, MIGRATION, tenants={"acme": {"deny_terms": ["gitlab ci"]}})
    assert not other.refused and not _events(other, "deny")
    # Whole words: "gitlab cinema" is not "gitlab ci".
    assert (
        not OutputChecks(GuardrailSettings(deny_terms=["gitlab ci"]))
        .check("The gitlab cinema is closed.", cited=[], system_prompt=None)
        .refusal
    )


@pytest.mark.parametrize(
    ("off", "reply", "kept"),
    [
        ({"output_checks": False}, KEYS, AWS),
        ({"secrets": False}, KEYS, AWS),
        ({"prompt_leak": False}, "Sure. My instructions: {system}", "cite the number of its source"),
        ({"output_checks": False}, "Sure. My instructions: {system}", "cite the number of its source"),
        (
            {"output_pii": False},
            "Aiko Tanaka [1]. Or write to bart.quigley@gmail.com.",
            "bart.quigley@gmail.com",
        ),
        (
            {"output_checks": False, "deny_terms": ["annual leave"]},
            "Employees get 27 days of paid annual leave [1].",
            "annual leave",
        ),
    ],
    ids=["all-secrets", "secrets", "prompt_leak", "all-leak", "output_pii", "all-deny"],
)
def test_each_check_has_an_off_switch(kb, tmp_path: Path, off: dict, reply: str, kept: str) -> None:
    reply = reply.format(system=_system())
    _, on = _ask(
        kb,
        tmp_path,
        reply,
        MIGRATION if "Aiko" in reply else LEAVE,
        **{k: v for k, v in off.items() if k == "deny_terms"},
    )
    assert kept not in on.text  # on: caught
    _, a = _ask(kb, tmp_path, reply, MIGRATION if "Aiko" in reply else LEAVE, **off)
    assert not a.refused and kept in a.text


def test_benign_code_and_hashes_are_not_mangled(kb, tmp_path: Path) -> None:
    _, a = _ask(kb, tmp_path, BENIGN_CODE)
    assert not a.refused and a.text == BENIGN_CODE
    assert all(e.verdict == "pass" for e in a.guardrails), a.guardrails
    assert not finder().find("commit 3f2a9c1d, uuid 123e4567-e89b-12d3-a456-426614174000, x = 0xDEADBEEF")


@pytest.mark.parametrize(
    "secret",
    [
        AWS,
        GITHUB,
        "xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx",
        "sk_live_4eC39HqLyjWDarjtT1zdp7dc",
        "AIzaSyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY",
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yyJV_adQssw5c",
    ],
    ids=["aws", "github", "slack", "stripe", "gcp", "jwt"],
)
def test_each_kind_of_key_is_redacted_whole(secret: str) -> None:
    text, found = finder().redact(f"Use {secret}. Then restart.")
    assert text == f"Use {REDACTED}. Then restart." and len(found) == 1


def test_a_password_in_a_url_is_redacted_and_the_url_kept() -> None:
    text, _ = finder().redact("Connect to postgres://admin:hunter2secret@db.example.com:5432/app today.")
    assert text == f"Connect to postgres://admin:{REDACTED}@db.example.com:5432/app today."


def test_the_extractive_answer_is_checked_for_deny_terms_and_secrets(kb, tmp_path: Path) -> None:
    ans = Answerer(
        retriever=kb.retriever,
        embedder=kb.embedder,
        llm=None,
        prompts=kb.prompts,
        conversations=type(kb.conversations)(f"sqlite:///{tmp_path / 'c.sqlite'}"),
        answerability=kb.answerability,
        guards=AnswerGuards(GuardrailSettings(deny_terms=["annual leave"])),
        settings=AnswerSettings(),
        llm_settings=load_settings().llm,
        max_hit_chars=kb.settings.chunking.max_chars,
    )
    a = ans.ask(LEAVE, tenant="default")
    assert a.refused and a.refusal.reason == "policy" and _events(a, "deny")[0].action == "refused"
    assert not _events(a, "prompt_leak") and not _events(a, "output_pii")  # no prompt; quoted PII is sourced


# ---- streaming --------------------------------------------------------------------------------------


def test_the_stream_gate_lets_out_checked_sentences_only() -> None:
    gate = StreamGate(OutputChecks(GuardrailSettings()), _system(), {1: "Leave is 27 days."})
    out = [
        gate.feed(p)
        for p in ["Leave is 27 ", "days [1]. The key is ", "AKIA", "IOSFODNN7", "EXAMPLE now. ", "End"]
    ]
    assert out[0] == "" and out[1] == "Leave is 27 days [1]. "  # the first sentence leaves once complete
    streamed = "".join(out) + gate.finish()
    assert AWS not in streamed and "AKIA" not in streamed and streamed.endswith(f"{REDACTED} now. End")
    # A key block is held until it ends, then leaves redacted.
    gate = StreamGate(OutputChecks(GuardrailSettings()), _system(), {})
    streamed = (
        "".join(gate.feed(p) for p in ["See:\n", PEM[:40] + "\n", PEM[40:] + "\n", "Done."]) + gate.finish()
    )
    assert "MIIE" not in streamed and streamed == f"See:\n{REDACTED}\nDone."
    # A leak stops the stream.
    gate = StreamGate(OutputChecks(GuardrailSettings()), _system(), {})
    words = _system().split()
    streamed = "".join(gate.feed(" ".join(words[i : i + 4]) + " ") for i in range(0, len(words), 4))
    streamed += gate.finish()
    assert gate.stopped and leaked_words(streamed, _system()) < GuardrailSettings().prompt_leak_words


def test_the_api_stream_never_lets_unchecked_text_out_and_the_events_are_counted(
    tmp_path: Path, embedder, onnx_cache, llm, cli
) -> None:
    with serve(
        tmp_path / "data",
        embedder,
        onnx_cache,
        llm,
        monitoring={"log_content": True},
        guardrails={"tenants": {"globex": {"output_checks": False}}},
    ) as client:
        a = key(client, "acme")
        upload(client, a, ("employee-handbook.md", (SAMPLE_DOCS / "employee-handbook.md").read_bytes()))
        pieces = [
            "Employees get 27 days ",
            "of paid annual leave [1]. ",
            "The key is AKIA",
            "IOSFODNN7EXAMPLE",
            " now.",
        ]
        llm.queue(Reply(stream=pieces))
        with client.stream("POST", "/v1/query", json={"question": LEAVE, "stream": True}, headers=a) as r:
            events = sse_events(r.read().decode())
        tokens = [d["text"] for name, d in events if name == "token"]
        assert tokens[0] == "Employees get 27 days of paid annual leave [1]. "  # sentence by sentence
        assert "AKIA" not in "".join(tokens) and REDACTED in "".join(tokens)
        final = events[-1][1]
        assert events[-1][0] == "answer" and AWS not in json.dumps(final) and REDACTED in final["answer"]

        # An echoed system prompt, streamed: the stream stops, the record says refused and what to show.
        words = _system().split()
        llm.queue(Reply(stream=[" ".join(words[i : i + 3]) + " " for i in range(0, len(words), 3)]))
        with client.stream("POST", "/v1/query", json={"question": LEAVE, "stream": True}, headers=a) as r:
            events = sse_events(r.read().decode())
        streamed = "".join(d["text"] for name, d in events if name == "token")
        assert leaked_words(streamed, _system()) < 10
        final = events[-1][1]
        assert final["refused"] and final["refusal"]["reason"] == "policy" and final["answer"] == WITHHELD

        # A tenant with the checks off streams the key as it comes.
        g = key(client, "globex")
        upload(client, g, ("employee-handbook.md", (SAMPLE_DOCS / "employee-handbook.md").read_bytes()))
        llm.queue(Reply(stream=pieces))
        body = client.post("/v1/query", json={"question": LEAVE}, headers=g).json()
        assert AWS in body["answer"] and not [e for e in body["guardrails"] if e["target"] == "answer"]

        rt = client.app.state.services.runtime
        rt.recorder.flush()
        trace = rt.traces.get(final["trace_id"], tenant="acme")
        assert any(e["guard"] == "prompt_leak" and e["action"] == "refused" for e in trace.guardrails)
        first = rt.traces.window(dt.datetime(2000, 1, 1), tenant="acme", kind="query")
        assert all(AWS not in json.dumps(t.to_dict()) for t in first)

        metrics = client.get("/metrics").text
        assert 'rag_guardrail_events_total{action="redacted",guard="secrets"} 1.0' in metrics
        assert 'rag_guardrail_events_total{action="refused",guard="prompt_leak"} 1.0' in metrics

        report = client.get("/v1/monitor/guardrails", headers=a).json()
        by = {(g["guard"], g["target"]): g for g in report["guards"]}
        assert (
            by[("secrets", "answer")]["flagged"] == 1
            and by[("secrets", "answer")]["actions"]["redacted"] == 1
        )
        assert by[("prompt_leak", "answer")]["actions"] == {"none": 1, "refused": 1}
        assert client.get("/v1/monitor/guardrails?tenant=globex", headers=a).status_code == 403
        assert client.get("/v1/monitor/guardrails?hours=0", headers=a).status_code == 422


def test_the_cli_shows_guardrail_counts(cli, tmp_path: Path) -> None:
    store = TraceStore(load_settings(data_dir=tmp_path / "data").traces_url)
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    store.write(
        [
            Trace(
                id=f"t{i}",
                kind="query",
                tenant="acme" if i else "globex",
                created_at=now,
                latency_ms=1.0,
                guardrails=[
                    {"guard": "secrets", "verdict": "flagged", "action": "redacted", "target": "answer"},
                    {"guard": "deny", "verdict": "pass", "action": "none", "target": "answer"},
                ],
            )
            for i in range(3)
        ]
    )
    store.close()
    report = json.loads(cli("monitor", "guardrails", "--json", "--tenant", "acme").output)
    (secrets,) = [g for g in report["guards"] if g["guard"] == "secrets"]
    assert secrets == {
        "guard": "secrets",
        "target": "answer",
        "traces": 2,
        "flagged": 2,
        "flagged_rate": 1.0,
        "actions": {"redacted": 2},
    }
    assert "secrets" in cli("monitor", "guardrails").output


def test_a_long_run_of_key_like_characters_is_widened_once(monkeypatch) -> None:
    """20,000 characters of 'AKIA' hold 5,000 overlapping findings; widening each over the whole run was
    quadratic (a 200,000-character answer or question held a thread for minutes)."""
    from core.guard import secrets

    calls = []
    widen = secrets._widen
    monkeypatch.setattr(secrets, "_widen", lambda *a: calls.append(1) or widen(*a))
    text = "AKIA" * 5000
    (span,) = secrets.SecretFinder().find(text)
    assert (span.start, span.end) == (0, len(text)) and len(calls) == 1


def _streamed(gate: StreamGate, pieces: list[str]) -> str:
    return "".join(gate.feed(p) for p in pieces) + gate.finish()


@pytest.mark.parametrize(
    ("pieces", "hidden"),
    [
        (["The key is AKIA\u200b", "IOSFODNN7EXAMPLE now. ", "End."], "IOSFODNN7EXAMPLE"),
        (["Write to john.smith\u200b", "@evilcorp.com today. ", "End."], "evilcorp"),
        (["The key is AKIA\u200d", "IOSFODNN7EXAMPLE now. ", "End."], "IOSFODNN7EXAMPLE"),  # a joiner
    ],
)
def test_an_invisible_character_inside_a_secret_or_address_does_not_let_it_stream(pieces, hidden) -> None:
    """The gate checks what the final check checks: the text without invisible characters (a zero-width
    space inside a key matched no detector, and the key left whole before the final answer redacted it)."""
    gate = StreamGate(OutputChecks(GuardrailSettings()), _system(), {})
    streamed = _streamed(gate, pieces)
    assert hidden not in streamed and "\u200b" not in streamed and "\u200d" not in streamed
    assert streamed.endswith("End.")


def test_a_sentence_end_inside_a_quoted_value_does_not_release_half_of_it() -> None:
    gate = StreamGate(OutputChecks(GuardrailSettings()), _system(), {})
    out = [gate.feed(p) for p in ['Set password = "hunter. ', 'Two2Three"\n', "Done [1]."]]
    assert out[0] == ""  # ". " inside the open quote is not a sentence end
    streamed = "".join(out) + gate.finish()
    assert "hunter" not in streamed and "Two2Three" not in streamed and REDACTED in streamed
    # Contractions are no quotes: "don't. " ends a sentence.
    gate = StreamGate(OutputChecks(GuardrailSettings()), _system(), {})
    assert gate.feed("We don't keep it. Next") == "We don't keep it. "


@pytest.mark.parametrize(
    "text",
    [
        "project-falcon",
        "project_falcon",
        "ProjectFalcon",
        "Project\u200bFalcon",
        "ｐｒｏｊｅｃｔ ｆａｌｃｏｎ",  # full-width
        "pr\u043eject falc\u043en",  # Cyrillic о
        "**project** *falcon*",
        "proje\u0301ct falcon",  # a combining accent
    ],
)
def test_a_deny_term_is_found_however_it_is_written(text: str) -> None:
    checks = OutputChecks(GuardrailSettings(deny_terms=["Project Falcon"]))
    assert checks.check(f"It is {text}.", cited=[], system_prompt=None).refusal is not None
    assert checks.check("A subproject falcon and falconry.", cited=[], system_prompt=None).refusal is None


def test_an_endpoint_streaming_past_max_tokens_is_cut_there() -> None:
    """Each delta holds a token or more: past max_tokens the endpoint ignores the limit, and every further
    piece would cost the stream gate's checks of all the text before it."""
    from rag.llm.base import Completion, Delta, Options, generate

    class Unbounded:  # an endpoint that ignores max_tokens
        provider, model, context_window, demo_quality = "scripted", "unbounded", 100_000, False
        sent = 0

        def count_tokens(self, text: str) -> int:
            return len(text.split())

        def stream(self, messages, options):  # noqa: ANN001, ANN202
            for _ in range(3000):
                self.sent += 1
                yield Delta("Ok. ")

        def close(self) -> None: ...

    llm = Unbounded()
    *texts, done = generate(llm, [{"role": "user", "content": "hi"}], Options(max_tokens=50))
    assert isinstance(done, Completion) and len(texts) == 50 and done.finish_reason == "length"
    assert llm.sent == 50  # the stream was not drained either


def test_the_models_own_not_found_text_is_checked_too(kb, tmp_path: Path) -> None:
    """A model's "Not found in the documents" keeps its text: what follows it is checked like any answer."""
    _, a = _ask(kb, tmp_path, f"Not found in the documents. But the deploy key is {AWS}.")
    assert a.refusal is not None and a.refusal.reason == "llm"
    assert AWS not in a.text and REDACTED in a.text


def test_a_number_made_of_two_neighbouring_source_numbers_is_not_in_the_sources() -> None:
    """Whether a cited source holds a number is decided number by number: the digits of the whole source
    run together ("4420" then "79460958") held any number made of them."""
    checks = OutputChecks(GuardrailSettings())
    answer = "Call +44 20 7946 0958 [1]."
    r = checks.check(answer, cited=["Room 4420, extension 79460958."], system_prompt="x")
    assert "7946" not in r.text and "<PHONE_NUMBER>" in r.text
    r = checks.check(answer, cited=["Phone: +44 20 7946 0958."], system_prompt="x")
    assert "+44 20 7946 0958" in r.text


def test_warm_up_loads_the_pii_engine_only_where_a_tenant_uses_it(monkeypatch) -> None:
    """The first answer no longer waits ~5 s for Presidio: the server's warm-up loads it, and only when a
    tenant's settings use it."""
    from rag import output_checks

    loaded: list[str] = []
    monkeypatch.setattr(output_checks, "_pii", lambda s: loaded.append("pii") or finder_stub)
    finder_stub = type("Stub", (), {"find": lambda self, text: []})()
    AnswerGuards(GuardrailSettings(output_checks=False)).warm_up()
    assert loaded == []
    AnswerGuards(
        GuardrailSettings(output_checks=False, tenants={"acme": {"pii_in_answers": "mask"}})
    ).warm_up()
    assert loaded == ["pii"]
