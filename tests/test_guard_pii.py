"""PII guard: the Presidio detector (core.guard.pii), masking of trace content (rag.monitor.record) and
counting or masking at ingest (ingest.guard.ChunkGuard.before_embedding)."""

from __future__ import annotations

import json
import socket
import sqlite3
import sys
import threading
from pathlib import Path

import pytest

from api_client import key, serve, upload
from conftest import ROOT
from core.errors import ConfigError
from core.guard import pii
from core.guard.pii import PiiSpan, detector
from core.settings import PII_ENTITIES, GuardrailSettings
from llm_server import Reply

sys.path.insert(0, str(ROOT / "bench"))
import pii_data  # noqa: E402

BRIEF = (
    "write to Marguerite Oyelaran at marguerite.oyelaran@halvard-freight.example or call +44 20 7946 "
    "0958. IBAN GB33BUKB20201555555555, card 4111 1111 1111 1111."
)


@pytest.fixture(scope="module")
def det() -> pii.PiiDetector:
    return detector(list(PII_ENTITIES), 0.5)


def _kinds(d: pii.PiiDetector, text: str) -> dict[str, str]:
    return {text[s.start : s.end]: s.kind for s in d.find(text)}


def test_the_defaults_misses_are_found_and_their_false_positives_gone(det: pii.PiiDetector) -> None:
    # Presidio's defaults missed the .example address, called the name NRP and found a DATE_TIME in the
    # card and a MEDICAL_LICENSE in the IBAN (/work/shared/notes/presidio.md).
    assert _kinds(det, BRIEF) == {
        "Marguerite Oyelaran": "PERSON",
        "marguerite.oyelaran@halvard-freight.example": "EMAIL_ADDRESS",
        "+44 20 7946 0958": "PHONE_NUMBER",
        "GB33BUKB20201555555555": "IBAN_CODE",
        "4111 1111 1111 1111": "CREDIT_CARD",
    }
    masked, spans = det.mask(BRIEF)
    assert masked == (
        "write to <PERSON> at <EMAIL_ADDRESS> or call <PHONE_NUMBER>. IBAN <IBAN_CODE>, card <CREDIT_CARD>."
    )
    assert [s.start for s in spans] == sorted(s.start for s in spans)
    assert all(a.end <= b.start for a, b in zip(spans, spans[1:], strict=False))


def test_checksums_and_business_numbers_are_not_pii(det: pii.PiiDetector) -> None:
    text = (
        "Card 4111 1111 1111 1112 failed the check; IBAN GB34BUKB20201555555555 was mistyped. "
        "Order PO-2025-00417 (SO 24096933) shipped 2025-03-14T10:22:01Z, release v2.14.3, build "
        "10.0.19045.3803, SKU KXT-4471-A at €1,249.00, commit 3f9a2c1d0b7e, tracking 1Z999AA10123456784."
    )
    assert det.find(text) == []


def test_names_of_several_languages_and_reserved_tlds(det: pii.PiiDetector) -> None:
    text = (
        "From: Zenon Austermühle <z.austermuehle@corp.internal>\nDear Silja,\nplease ask Amber van de Water "
        "(amber@acme.test) to call the depot on +34 881 020 427."
    )
    found = _kinds(det, text)
    assert found["z.austermuehle@corp.internal"] == "EMAIL_ADDRESS"
    assert found["amber@acme.test"] == "EMAIL_ADDRESS"
    for name in ("Zenon Austermühle", "Silja", "Amber van de Water"):
        assert found.get(name) == "PERSON", (name, found)
    assert found["+34 881 020 427"] == "PHONE_NUMBER"


def test_reserved_range_numbers_chat_names_and_look_alikes(det: pii.PiiDetector) -> None:
    # Numbers reserved for fiction are well formed and masked; a "Phone no." is no id cue; a chat log's
    # lowercase speakers and self-introductions are names; version quads, products, companies, form
    # labels and address words are not.
    text = (
        "[09:14] tomasz: hi, this is tomasz wierzbicki from ops\n"
        "[09:15] aoife: mobile no. 07700 900123 or tel +44 7700 900077\n\n"
        "Upgraded from version 10.2.0.1 to 10.2.0.4. Grace Max v2.1 ships via Kestrel Robotics.\n"
        "Betreff: Anadolu A.Ş., Via Roma 12, 00-950 Warszawa, Springfield IL 62704.\n"
        "Regards,\n王秀英"
    )
    found = _kinds(det, text)
    for number in ("07700 900123", "+44 7700 900077"):
        assert found.get(number) == "PHONE_NUMBER", (number, found)
    for name in ("tomasz", "tomasz wierzbicki", "aoife", "王秀英"):
        assert found.get(name) == "PERSON", (name, found)
    assert "IP_ADDRESS" not in found.values(), found
    assert sum(k == "PERSON" for k in found.values()) == 4, found


def test_a_long_text_is_analysed_in_pieces_with_true_offsets(det: pii.PiiDetector) -> None:
    filler = "The quarterly review covered shipping volumes and warehouse capacity in detail. " * 80
    parts = [filler, "Contact jane.doe@example.com today. ", filler, "Card 4111-1111-1111-1111 on file. "]
    text = "".join(parts * 3)
    assert len(text) > 3 * pii._PIECE
    spans = det.find(text)
    assert [text[s.start : s.end] for s in spans] == ["jane.doe@example.com", "4111-1111-1111-1111"] * 3
    pieces = list(pii._pieces(text, pii._PIECE))
    assert "".join(p for _, p in pieces) == text and all(len(p) <= pii._PIECE for _, p in pieces)
    assert [o for o, _ in pieces] == [sum(len(p) for _, p in pieces[:i]) for i in range(len(pieces))]


def test_mask_takes_given_spans_and_the_factory_shares_one_detector(det: pii.PiiDetector) -> None:
    masked, spans = det.mask("abc def", [PiiSpan("PERSON", 4, 7, 1.0)])
    assert masked == "abc <PERSON>" and len(spans) == 1
    got: list[pii.PiiDetector] = []
    threads = [
        threading.Thread(target=lambda: got.append(detector(list(PII_ENTITIES), 0.5))) for _ in range(4)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(g is det for g in got)
    assert detector(["EMAIL_ADDRESS"], 0.5).find(BRIEF)[0].kind == "EMAIL_ADDRESS"


def test_the_email_check_never_touches_the_network(monkeypatch: pytest.MonkeyPatch) -> None:
    from core.guard import pii_engine

    calls: list[object] = []
    monkeypatch.setattr(socket, "getaddrinfo", lambda *a, **k: calls.append(a) or [])
    monkeypatch.setattr(socket.socket, "connect", lambda *a, **k: calls.append(a))
    fresh = pii_engine.offline_tld()  # a new extractor: its suffix list is loaded now
    assert fresh("mail.halvard-freight.example").fqdn == "mail.halvard-freight.example"
    assert fresh("bluefin.co.uk").suffix == "co.uk"
    assert calls == []


# ---- traces ---------------------------------------------------------------------------------------------

# Documents of the labelled set's test split: an e-mail, a ticket, an HR note and a CRM note.
SET_DOCS = [
    d for d in pii_data.split(pii_data.build(), "test") if d.id in {"pii-0024", "pii-0033", "pii-0044"}
]


def _stored_text(db: Path) -> str:
    """Every value of every trace row, JSON decoded (so that escaped non-ASCII text is compared too)."""
    out = []
    with sqlite3.connect(db) as con:
        for row in con.execute("SELECT * FROM traces"):
            for v in row:
                if isinstance(v, str):
                    try:
                        v = json.dumps(json.loads(v), ensure_ascii=False)
                    except ValueError:
                        pass
                out.append(str(v))
    return "\n".join(out)


@pytest.mark.parametrize("mode", ["mask", "off"])
def test_no_pii_of_the_set_remains_in_a_trace_written_with_content_logging(
    tmp_path: Path, embedder, onnx_cache, llm, mode: str
) -> None:
    doc = "\n\n".join(d.text for d in SET_DOCS)
    secrets = sorted({s.text for d in SET_DOCS for s in d.spans})
    hr = SET_DOCS[0]
    person, iban = (next(s.text for s in hr.spans if s.kind == k) for k in ("PERSON", "IBAN_CODE"))
    question = f"Is the salary of {person} still paid to {iban}? " + hr.text.splitlines()[2]
    llm.queue(Reply(f"Yes: {person}'s salary is paid to {iban} [1].", usage=(700, 12)))
    with serve(
        tmp_path / "data",
        embedder,
        onnx_cache,
        llm,
        monitoring={"log_content": True},
        guardrails={"pii_in_traces": mode},
    ) as client:
        a = key(client, "acme")
        assert upload(client, a, ("customer-file.txt", doc.encode())).status_code == 200
        answer = client.post("/v1/query", json={"question": question}, headers=a).json()
        client.post("/v1/search", json={"query": question}, headers=a)
        rt = client.app.state.services.runtime
        rt.recorder.flush()
        trace = rt.traces.get(answer["trace_id"])
        stored = _stored_text(tmp_path / "data" / "traces.sqlite")
    assert trace.question and trace.answer and trace.prompt_messages  # content logging is on
    left = [s for s in secrets if s in stored]
    events = [g for g in trace.guardrails if g["guard"] == "pii"]
    if mode == "mask":
        assert left == [], [stored[max(0, stored.find(s) - 300) : stored.find(s) + 100] for s in left]
        assert "<PERSON>" in trace.question and "<IBAN_CODE>" in trace.answer
        assert "<EMAIL_ADDRESS>" in json.dumps(trace.prompt_messages)
        (event,) = events
        assert event["action"] == "masked" and event["target"] == "trace"
        assert event["detail"]["PERSON"] >= 2 and event["detail"]["IBAN_CODE"] >= 1
        assert all(isinstance(v, int) for v in event["detail"].values())
    else:
        assert person in trace.question and iban in trace.answer and len(left) == len(secrets)
        assert events == []


def test_tenant_override_switches_trace_masking_off_for_one_tenant() -> None:
    from rag.monitor.redact import masker

    settings = GuardrailSettings(tenants={"beta": {"pii_in_traces": "off"}})
    assert masker(settings, "beta") is None and masker(None, "acme") is None
    m = masker(settings, "acme")
    assert m is not None
    masked = m.mask({"steps": [{"input": BRIEF, "n": 3}], "answer": "Marguerite will call."})
    assert masked["steps"][0]["input"].startswith("write to <PERSON>") and masked["steps"][0]["n"] == 3
    assert masked["answer"] == "<PERSON> will call."  # a name found in one field is masked in all
    assert m.event() is not None and m.event().detail["CREDIT_CARD"] == 1


# ---- ingest ---------------------------------------------------------------------------------------------


def test_before_embedding_counts_or_masks_per_tenant_and_loads_nothing_when_off(
    monkeypatch: pytest.MonkeyPatch, det: pii.PiiDetector
) -> None:
    from ingest import guard

    settings = GuardrailSettings(
        pii_at_ingest="flag", tenants={"masked": {"pii_at_ingest": "mask"}, "plain": {"pii_at_ingest": "off"}}
    )
    texts, notes = guard.ChunkGuard(settings).before_embedding(
        [BRIEF, BRIEF, BRIEF], ["acme", "masked", "plain"]
    )
    counts = {"PERSON": 1, "EMAIL_ADDRESS": 1, "PHONE_NUMBER": 1, "IBAN_CODE": 1, "CREDIT_CARD": 1}
    assert texts[0] == BRIEF and notes[0].pii == counts
    assert texts[1].startswith("write to <PERSON> at <EMAIL_ADDRESS>") and notes[1].pii == counts
    assert texts[2] == BRIEF and notes[2].pii == {} and notes[2].payload() == {}

    def no_engine(*a: object) -> None:
        raise AssertionError("the PII engine was asked for with pii_at_ingest off")

    monkeypatch.setattr(guard, "detector", no_engine)
    off = guard.ChunkGuard(GuardrailSettings())
    assert off.before_embedding([BRIEF], ["acme"]) == ([BRIEF], [guard.ChunkNotes()])


@pytest.mark.parametrize("mode", ["mask", "flag", "off"])
def test_stored_chunks_carry_pii_counts_and_masked_text(
    tmp_path: Path, embedder, onnx_cache, llm, mode: str
) -> None:
    doc = SET_DOCS[1]
    with serve(tmp_path / "data", embedder, onnx_cache, llm, guardrails={"pii_at_ingest": mode}) as client:
        a = key(client, "acme")
        body = upload(client, a, ("minutes.txt", doc.text.encode())).json()
        doc_id = body["documents"][0]["document_id"]
        chunks = client.app.state.services.runtime.store.chunks("acme", doc_id)
    text = "\n".join(c["text"] for c in chunks)
    counts: dict[str, int] = {}
    for c in chunks:
        for k, v in ((c.get("guard") or {}).get("pii") or {}).items():
            counts[k] = counts.get(k, 0) + v
    expected: dict[str, int] = {}
    for s in doc.spans:
        expected[s.kind] = expected.get(s.kind, 0) + 1
    if mode == "off":
        assert counts == {} and all(s.text in text for s in doc.spans)
        return
    assert counts == expected
    if mode == "mask":
        assert [s.text for s in doc.spans if s.text in text] == [] and "<PERSON>" in text
    else:
        assert all(s.text in text for s in doc.spans)


def test_the_entity_types_settings_accept_are_the_ones_the_engine_finds() -> None:
    """RAG_GUARDRAILS__PII_ENTITIES is checked at start-up against a list kept in core/settings.py: it
    must be what the engine supports (a typo such as EMAIL_ADRESS used to be logged and ignored)."""
    from core.guard.pii import detector
    from core.settings import PII_SUPPORTED, load_settings

    engine = detector(["PERSON"], 0.5)._engine
    assert set(engine.analyzer.get_supported_entities("en")) == PII_SUPPORTED
    with pytest.raises(ConfigError, match="unknown PII entity type.*EMAIL_ADRESS"):
        load_settings(guardrails={"pii_entities": ["EMAIL_ADRESS"]})
    assert load_settings(guardrails={"pii_entities": [" person", "PERSON"]}).guardrails.pii_entities == [
        "PERSON"
    ]
