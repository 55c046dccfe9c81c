"""The chat page at /chat in headless Chromium against a live server and the scripted LLM: documents
dropped on the page and picked with the file input are followed to indexed (or failed, with the reason);
an answer streams in, then shows its citations, which open their passage; thumbs up reaches the trace;
a follow-up carries the conversation to the rewrite step; a refusal and a failure show as such;
conversations survive a reload. The console stays clean and no request leaves the origin. Under a low
rate limit, many uploads are still followed to indexed. A stored answer draws its [1; 2] markers as
buttons, its pages as runs ("pp. 3-5, 7"), its flagged sentences with why. A key no header can carry is
refused as typed, never sent; a drop of more files than one upload takes goes in batches. Screenshots in
test-artifacts/chat.png (a cited, streamed answer), chat-passage.png and chat-refusal.png."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.app import create_app
from api_client import live_server
from browser import ARTIFACTS, browser_page
from conftest import SAMPLE_DOCS
from core.settings import load_settings
from llm_server import Reply, ScriptedLLM

LEAVE = "How many days of paid annual leave do employees get?"
FIRST = [
    "Employees get 27 days of paid annual leave [1]. ",
    "Up to 5 unused days carry over [1]. ",
    "Days not taken by 31 March are lost [1].",
]
STANDALONE = "How many unused days of annual leave can employees carry over into the next year?"
SECOND = [
    "Up to 5 unused days can be carried over into the first quarter [1]. ",
    "They are lost after 31 March [1].",
]
VIEWPORT = {"viewport": {"width": 1280, "height": 900}}
# Records the streaming answer's text each time it changes: what a reader saw before the record came.
WATCH = """() => {
  window.seen = [];
  new MutationObserver(() => {
    const p = document.querySelector('.streaming p');
    if (p && p.textContent && window.seen.at(-1) !== p.textContent) window.seen.push(p.textContent);
  }).observe(document.getElementById('thread'), {childList: true, subtree: true, characterData: true});
}"""
# Chromium reports a fetch whose no-store body was read to its end through a reader as aborted
# (microsoft/playwright#42742): the page did get every event, as the answers it shows prove.
READ_STREAM_REPORTED_ABORTED = "request failed: {}/v1/query net::ERR_ABORTED"
DROP = """([name, text]) => {
  const data = new DataTransfer();
  data.items.add(new File([text], name, {type: 'text/markdown'}));
  return data;
}"""
DROP_MANY = """(files) => {
  const data = new DataTransfer();
  for (const [name, text] of files) data.items.add(new File([text], name, {type: 'text/markdown'}));
  return data;
}"""


@pytest.fixture(scope="module")
def live(
    tmp_path_factory: pytest.TempPathFactory, onnx_cache, sharing_runtime
) -> Iterator[tuple[str, str, Any]]:
    with ScriptedLLM(default=Reply("Employees get 27 days of paid annual leave [1].")) as llm:
        s = load_settings(
            data_dir=tmp_path_factory.mktemp("chat") / "data",
            tenant="demo",
            embedding={"cache_dir": onnx_cache},
            llm={"base_url": llm.base_url, "model": "scripted", "max_retries": 0, "timeout_s": 10},
            api={"rate_per_minute": 100_000, "rate_burst": 10_000},
        )
        rt = sharing_runtime(s)  # the session's model and parser processes
        app = create_app(runtime=rt)
        with live_server(app) as base:
            yield base, app.state.services.keys.create("acme")[0], (llm, rt)


def ask(page: Any, question: str, state: str, nth: int) -> Any:
    page.fill("#question", question)
    page.press("#question", "Enter")
    answer = page.locator("#thread .msg.bot").nth(nth)
    answer.and_(page.locator(f"[data-state={state}]")).wait_for(timeout=30_000)
    return answer


def test_upload_ask_cite_rate_follow_up_refuse(live: tuple[str, str, Any]) -> None:
    base, key, (llm, rt) = live
    with browser_page(**VIEWPORT) as (page, problems, requests):
        # The key as the dashboard leaves it in this tab's sessionStorage.
        page.add_init_script(f"sessionStorage.setItem('rag-key', {key!r})")
        page.goto(f"{base}/chat")
        page.locator("#library", has_text="0 documents indexed").wait_for()
        assert page.get_attribute("nav a[href='/ui']", "href") == "/ui"

        # Upload: one file dropped on the page, two picked (one of them a broken PDF).
        handbook = (SAMPLE_DOCS / "employee-handbook.md").read_text()
        data = page.evaluate_handle(DROP, ["employee-handbook.md", handbook])
        for event in ("dragenter", "dragover", "drop"):
            page.dispatch_event("#dropzone", event, {"dataTransfer": data})
        page.set_input_files(
            "#files",
            files=[
                {
                    "name": "travel-policy.md",
                    "mimeType": "text/markdown",
                    "buffer": (SAMPLE_DOCS / "travel-policy.md").read_bytes(),
                },
                {"name": "broken.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 not really"},
            ],
        )
        page.locator(".job[data-state=indexed]").nth(1).wait_for(timeout=60_000)
        failed = page.locator(".job[data-state=failed]")
        failed.wait_for(timeout=60_000)
        jobs = page.locator(".job").all_inner_texts()
        page.locator("#library", has_text="2 documents indexed").wait_for()

        # A streamed answer: its text grows in steps, then the record brings citations and marks.
        page.evaluate(WATCH)
        llm.queue(Reply(stream=FIRST, pause_s=0.4))
        first = ask(page, LEAVE, "answered", 0)
        seen = page.evaluate("window.seen")
        text = first.locator(".answer-text").inner_text()
        marks = first.locator(".marks").inner_text()
        first.locator(".cite").first.click()
        dialog = page.locator("#passage")
        dialog.wait_for()
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "chat-passage.png"))
        passage = (page.inner_text("#passage-title"), page.inner_text("#passage-text"))
        facts = page.locator("#passage-text mark.fact").all_inner_texts()
        page.click("#passage-close")
        assert not dialog.is_visible()

        # Thumbs up, recorded on the answer's trace.
        trace_id = first.locator(".trace code").inner_text()
        first.get_by_role("button", name="good answer").click()
        first.locator(".feedback-status", has_text="feedback recorded").wait_for()
        pressed = first.get_by_role("button", name="good answer").get_attribute("aria-pressed")

        # A follow-up in the same conversation: the rewrite step sees the first exchange.
        before = len(llm.requests)
        llm.queue(Reply(STANDALONE), Reply(stream=SECOND, pause_s=0.2))
        second = ask(page, "And how many can I carry over?", "answered", 1)
        rewrite = " ".join(m["content"] for m in llm.requests[before].messages)
        searched = second.inner_text()
        page.screenshot(path=str(ARTIFACTS / "chat.png"))

        # A new conversation: a question the documents cannot answer is refused, with its reason; a
        # failure of the model shows its problem.
        page.click("#new-chat")
        refused = ask(page, "What is the capital of Peru?", "refused", 0).inner_text()
        llm.queue(Reply(status=500))
        failure = ask(page, LEAVE, "error", 1).inner_text()
        page.screenshot(path=str(ARTIFACTS / "chat-refusal.png"))

        # Markers as the server reads them, with ';' too: [1; 2] is two buttons.
        page.click("#new-chat")
        llm.queue(Reply("Employees get 27 days of paid annual leave [1; 2]."))
        semicolon = (
            ask(page, "How much annual leave is there?", "answered", 0)
            .locator(".answer-text .cite")
            .all_inner_texts()
        )

        # Conversations are kept: after a reload, the first is listed and shows its answers again.
        page.reload()
        conversations = page.locator("#conversations .conv")
        conversations.nth(2).wait_for()
        listed = conversations.all_inner_texts()
        page.locator("#conversations .conv", has_text=LEAVE[:30]).click()
        page.locator("#thread .msg.bot[data-state=answered]").nth(1).wait_for()
        restored = page.locator("#thread .msg.bot").first
        kept = (
            restored.locator(".cite").count(),
            restored.get_by_role("button", name="good answer").get_attribute("aria-pressed"),
        )

    assert [p for p in problems if p != READ_STREAM_REPORTED_ABORTED.format(base)] == []
    assert all(url.startswith(base) for url in requests), [u for u in requests if not u.startswith(base)]
    assert sum("indexed" in j for j in jobs) == 2, jobs
    assert any(j.startswith("broken.pdf") and "failed" in j and "not a readable PDF" in j for j in jobs), jobs
    final = "".join(FIRST)
    assert len(seen) >= 2 and all(final.startswith(s.rstrip()) for s in seen), seen  # it streamed
    assert seen[0].rstrip() != final.rstrip()
    assert "27 days of paid annual leave" in text and "[1]" not in text  # markers became buttons
    assert "supported" in marks
    assert passage[0] == "[1] employee-handbook.md"
    assert "Every full-time employee receives 27 days of paid annual leave" in passage[1]
    assert "27 days" in facts
    assert pressed == "true"
    rt.recorder.flush()
    with httpx.Client(base_url=base, headers={"X-API-Key": key}) as http:
        trace = http.get(f"/v1/monitor/traces/{trace_id}").json()
    assert [f["rating"] for f in trace["feedback"]] == [1]
    assert LEAVE in rewrite and "27 days" in rewrite and "carry over" in rewrite
    assert f"searched for: {STANDALONE}" in searched
    assert "Not answered" in refused and "low confidence" in refused
    assert semicolon == ["1", "2"]
    assert "language model failed" in failure
    assert len(listed) == 3 and any("2 questions" in c for c in listed)
    assert kept == (3, "true")


def test_no_text_reaches_the_page_as_markup_and_the_key_stays_in_the_tab() -> None:
    from api.routes.ui import STATIC

    scripts = {p.name: p.read_text() for p in STATIC.glob("chat*.js")}
    assert set(scripts) == {
        "chat.js",
        "chat-api.js",
        "chat-answer.js",
        "chat-cite.js",
        "chat-dom.js",
        "chat-upload.js",
    }
    for name, js in scripts.items():
        assert not re.search(
            r"innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function", js
        ), name
    # The key in sessionStorage, as on the dashboard; only the conversations in localStorage.
    assert "sessionStorage.setItem(KEY" in scripts["chat-api.js"]
    assert "localStorage.setItem" not in scripts["chat-api.js"]
    assert [m for js in scripts.values() for m in re.findall(r"localStorage\.setItem\((\w+)", js)] == [
        "STORE"
    ]


def test_the_key_typed_in_unlocks_the_page(live: tuple[str, str, Any]) -> None:
    base, key, _ = live
    with browser_page(**VIEWPORT) as (page, problems, requests):
        page.goto(f"{base}/chat")
        notice = page.locator("#notice")
        notice.wait_for()
        refused = notice.inner_text()
        page.fill("#key", "rk_wrong")
        page.press("#key", "Tab")
        page.locator("#notice", has_text="invalid API key").wait_for()
        page.fill("#key", key)
        page.press("#key", "Tab")
        page.locator("#library", has_text=re.compile(r"\d+ documents? indexed")).wait_for()
        hidden = notice.is_hidden()
        local, session = page.evaluate(
            "() => [Object.entries(localStorage), sessionStorage.getItem('rag-key')]"
        )
    assert "authentication required" in refused and "API key" in refused
    assert hidden
    # The key typed in is in this tab's sessionStorage, nowhere in localStorage.
    assert session == key
    assert not [name for name, value in local if key in value or name == "rag-key"], local
    # The only complaints are the browser's own about the two refused requests.
    assert len(problems) == 2 and all("401" in p for p in problems), problems


def test_many_uploads_under_a_low_rate_limit_all_end_indexed(
    tmp_path: Path, onnx_cache, sharing_runtime
) -> None:
    """Six files at once, the key allowed 2 requests a second (3 at once): one loop follows their jobs,
    waits out each 429 as long as its Retry-After says, and every row ends indexed. (Each job polled on
    its own every 700 ms, the rows were marked failed at the first 429.)"""
    files = [
        {
            "name": f"note-{i}.md",
            "mimeType": "text/markdown",
            "buffer": f"# Note {i}\n\nRoom {i} of the office seats {i + 4} people.\n".encode(),
        }
        for i in range(6)
    ]
    with ScriptedLLM(default=Reply("unused")) as llm:
        s = load_settings(
            data_dir=tmp_path / "data",
            embedding={"cache_dir": onnx_cache},
            llm={"base_url": llm.base_url, "model": "scripted", "max_retries": 0},
            api={"rate_per_minute": 120, "rate_burst": 3},
        )
        app = create_app(runtime=sharing_runtime(s))
        with live_server(app) as base, browser_page(**VIEWPORT) as (page, problems, _):
            key = app.state.services.keys.create("acme")[0]
            page.add_init_script(f"sessionStorage.setItem('rag-key', {key!r})")
            page.goto(f"{base}/chat")
            page.locator("#library", has_text="0 documents indexed").wait_for()
            page.set_input_files("#files", files=files)
            ended = ".job[data-state=indexed], .job[data-state=failed]"
            page.wait_for_function(f"() => document.querySelectorAll('{ended}').length === 6", timeout=60_000)
            rows = page.locator(".job").all_inner_texts()
    assert len(rows) == 6 and all("indexed" in r and "failed" not in r for r in rows), rows
    # The limit did bite: the browser reports each refused request.
    refused = [p for p in problems if "429" in p]
    assert refused and refused == problems, problems


def test_a_stored_answer_draws_semicolon_markers_page_runs_and_why(live: tuple[str, str, Any]) -> None:
    """An answer restored from localStorage, drawn with no server help: [1; 2] is two buttons (the
    server's marker regex takes ';' as it takes ','), pages read as runs ("pp. 3-5, 7"), a flagged
    sentence says why once, and the passage it opens lists the sentences it is cited for without markers."""
    base, key, _ = live

    def citation(n: int, chunk: str, source: str, pages: list[int], sentences: list[int]) -> dict:
        return {
            "n": n,
            "chunk_id": chunk,
            "source": source,
            "pages": pages,
            "section": None,
            "sentences": sentences,
        }

    record = {
        "trace_id": "t-stored",
        "conversation_id": "c-stored",
        "question": "How long is the leave?",
        "standalone_question": "How long is the leave?",
        "answer": "Leave is 27 days [1; 2]. Up to 10 days carry over [3].",
        "refused": False,
        "refusal": None,
        "citations": [
            citation(1, "a", "handbook.pdf", [3, 4, 5, 7], [0]),
            citation(2, "b", "policy.pdf", [3, 7], [0]),
            citation(3, "c", "faq.pdf", [3], [1]),
        ],
        "invalid_citations": [],
        "verification": {
            "counts": {"supported": 1, "contradicted": 1},
            "sentences": [
                {"index": 0, "text": "Leave is 27 days [1; 2].", "verdict": "supported", "checks": []},
                {
                    "index": 1,
                    "text": "Up to 10 days carry over [3].",
                    "verdict": "contradicted",
                    "checks": [
                        {
                            "verdict": "contradicted",
                            "fact": {"text": "10 days"},
                            "source": 3,
                            "source_text": "5 days",
                        }
                    ],
                },
            ],
        },
        "policy": "flagged",
        "draft": None,
        "evidence": [],
        "passages": {"a": "Leave is 27 days a year.", "b": "27 days of leave.", "c": "5 days carry over."},
    }
    turn = {"question": record["question"], "record": record, "error": None, "rating": 0}
    conversation = {
        "id": "x",
        "title": record["question"],
        "conversationId": "c-stored",
        "turns": [turn],
        "updated": 1,
    }
    state = json.dumps({"conversations": [conversation], "current": "x"})
    with browser_page(**VIEWPORT) as (page, problems, _):
        page.add_init_script(f"sessionStorage.setItem('rag-key', {key!r})")
        page.add_init_script(f"localStorage.setItem('rag-chat', {json.dumps(state)})")
        page.goto(f"{base}/chat")
        answer = page.locator("#thread .msg.bot[data-state=answered]")
        answer.wait_for()
        text = answer.locator(".answer-text").inner_text()
        cites = answer.locator(".answer-text .cite").all_inner_texts()
        sources = answer.locator(".sources .source").all_inner_texts()
        flagged = answer.locator("mark.flagged").get_attribute("title")
        why = answer.locator(".flags li").all_inner_texts()
        answer.locator(".answer-text .cite").nth(1).click()
        page.locator("#passage").wait_for()
        meta, cited = page.inner_text("#passage-meta"), page.locator("#passage-cited q").all_inner_texts()
    assert problems == []
    assert cites == ["1", "2", "3"] and "[" not in text, (cites, text)
    assert sources == ["[1] handbook.pdf · pp. 3-5, 7", "[2] policy.pdf · pp. 3, 7", "[3] faq.pdf · p. 3"]
    assert flagged == "contradicted: “10 days” but source [3] says “5 days”"
    assert why == ["contradicted: “Up to 10 days carry over [3].” “10 days” but source [3] says “5 days”"]
    assert meta == "pp. 3, 7"
    assert cited == ["Leave is 27 days."]


def test_a_key_no_header_can_carry_is_refused_as_typed_and_never_sent(live: tuple[str, str, Any]) -> None:
    """A key with non-Latin-1 characters made every fetch fail in the browser: the page said "the server
    cannot be reached" with the browser's error text. Now it says what is wrong with the key, and sends
    nothing with it."""
    base, _, _ = live
    with browser_page(**VIEWPORT) as (page, problems, requests):
        page.goto(f"{base}/chat")
        page.locator("#notice", has_text="authentication required").wait_for()
        before = len(requests)
        page.fill("#key", "ключ-🔑")
        page.press("#key", "Tab")
        page.locator("#notice", has_text="only ASCII letters, digits and punctuation").wait_for()
        notice = page.inner_text("#notice")
        answer = ask(page, "How many days of leave?", "error", 0).inner_text()
        sent = requests[before:]
        invalid = page.get_attribute("#key", "aria-invalid")
        stored = page.evaluate("() => sessionStorage.getItem('rag-key')")
    assert "cannot be reached" not in notice and "API key" in notice, notice
    assert "only ASCII letters, digits and punctuation" in answer, answer
    assert sent == [], sent  # neither the library nor the question left the page
    assert invalid == "true" and stored is None
    assert len(problems) == 1 and "401" in problems[0], problems  # the page's first, keyless request


def test_a_drop_of_25_files_is_uploaded_in_batches_all_indexed(live: tuple[str, str, Any]) -> None:
    """More files than one upload takes (the server's limit is 20): the drop was refused whole. It goes
    as uploads of at most 10 files, one after the other, and every row is followed to indexed."""
    base, key, _ = live
    files = [
        [f"batch-{i:02}.md", f"# Batch note {i}\n\nShelf {i} of the archive holds {i * 3 + 7} boxes.\n"]
        for i in range(25)
    ]
    with browser_page(**VIEWPORT) as (page, problems, requests):
        page.add_init_script(f"sessionStorage.setItem('rag-key', {key!r})")
        page.goto(f"{base}/chat")
        page.locator("#library", has_text="indexed").wait_for()
        data = page.evaluate_handle(DROP_MANY, files)
        for event in ("dragenter", "dragover", "drop"):
            page.dispatch_event("#dropzone", event, {"dataTransfer": data})
        ended = ".job[data-state=indexed], .job[data-state=failed]"
        page.wait_for_function(f"() => document.querySelectorAll('{ended}').length === 25", timeout=120_000)
        rows = page.locator(".job").all_inner_texts()
        names = page.locator(".job .job-name").all_inner_texts()
    uploads = [u for u in requests if u == f"{base}/v1/documents"]
    assert len(rows) == 25 and all("indexed" in r and "failed" not in r for r in rows), rows
    assert sorted(names) == [name for name, _ in files]  # one row each
    assert len(uploads) == 3, uploads  # 10 + 10 + 5
    assert problems == [], problems
