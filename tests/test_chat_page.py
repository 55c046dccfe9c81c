"""The chat page at /chat in headless Chromium against a live server and the scripted LLM: documents
dropped on the page and picked with the file input are followed to indexed (or failed, with the reason);
an answer streams in, then shows its citations, which open their passage; thumbs up reaches the trace;
a follow-up carries the conversation to the rewrite step; a refusal and a failure show as such;
conversations survive a reload. The console stays clean and no request leaves the origin. Screenshots in
test-artifacts/chat.png (a cited, streamed answer), chat-passage.png and chat-refusal.png."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from api.app import create_app
from api_client import live_server
from app.runtime import Runtime
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


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory, embedder, onnx_cache) -> Iterator[tuple[str, str, Any]]:
    with ScriptedLLM(default=Reply("Employees get 27 days of paid annual leave [1].")) as llm:
        s = load_settings(
            data_dir=tmp_path_factory.mktemp("chat") / "data",
            tenant="demo",
            embedding={"cache_dir": onnx_cache},
            llm={"base_url": llm.base_url, "model": "scripted", "max_retries": 0, "timeout_s": 10},
            api={"rate_per_minute": 100_000, "rate_burst": 10_000},
        )
        rt = Runtime(s)
        rt.embedder = embedder  # type: ignore[misc]
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
    with browser_page(base, **VIEWPORT) as (page, problems, requests):
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

        # Conversations are kept: after a reload, the first is listed and shows its answers again.
        page.reload()
        conversations = page.locator("#conversations .conv")
        conversations.nth(1).wait_for()
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
    assert "language model failed" in failure
    assert len(listed) == 2 and any("2 questions" in c for c in listed)
    assert kept == (3, "true")


def test_no_text_reaches_the_page_as_markup_and_the_key_stays_in_the_tab() -> None:
    from api.routes.ui import STATIC

    scripts = {p.name: p.read_text() for p in STATIC.glob("chat*.js")}
    assert set(scripts) == {"chat.js", "chat-api.js", "chat-answer.js", "chat-upload.js"}
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
    with browser_page(base, **VIEWPORT) as (page, problems, requests):
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
    assert "authentication required" in refused and "API key" in refused
    assert hidden
    # The only complaints are the browser's own about the two refused requests.
    assert len(problems) == 2 and all("401" in p for p in problems), problems
