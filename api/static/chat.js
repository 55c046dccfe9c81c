// The chat page: conversations kept in this browser (localStorage), each continuing its conversation on
// the server (conversation_id: the server holds the earlier turns the follow-up rewrite reads); answers
// streamed from POST /v1/query, then drawn from their record; thumbs that POST /v1/feedback; uploads.
"use strict";

import { ApiError, api, bindKey, events, postJSON, request } from "./chat-api.js";
import { answerView, keep, passageText } from "./chat-answer.js";
import { pagesOf, withoutMarkers } from "./chat-cite.js";
import { el } from "./chat-dom.js";
import { bindUpload } from "./chat-upload.js";

const $ = (id) => document.getElementById(id);
const STORE = "rag-chat";
const MAX_CONVERSATIONS = 50;
const views = new WeakMap(); // turn -> its answer's element on the page (when drawn)

// ---- state, kept in localStorage -------------------------------------------------------------------

function load() {
  try {
    const saved = JSON.parse(localStorage.getItem(STORE) || "null");
    if (saved && Array.isArray(saved.conversations)) {
      // A turn still waiting when the page closed never gets its answer.
      saved.conversations.forEach((c) =>
        c.turns.forEach((t) => {
          if (!t.record && !t.error) t.error = { title: "interrupted", detail: "the page was closed while it was answering" };
        }),
      );
      return saved;
    }
  } catch {
    // unreadable: start afresh
  }
  return { conversations: [], current: null };
}

const state = load();

function save() {
  state.conversations.sort((a, b) => b.updated - a.updated);
  state.conversations.length = Math.min(state.conversations.length, MAX_CONVERSATIONS);
  try {
    localStorage.setItem(STORE, JSON.stringify(state));
  } catch {
    notice(new ApiError(0, "conversations not saved", "this browser's storage for the page is full"));
  }
}

const current = () => state.conversations.find((c) => c.id === state.current) || null;
const newId = () => `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;

// ---- errors ----------------------------------------------------------------------------------------

function notice(error) {
  const box = $("notice");
  box.replaceChildren(
    el("strong", {}, error.title || "error"),
    error.detail ? el("span", {}, ` ${error.detail}`) : null,
    el("button", { type: "button", class: "dismiss", "aria-label": "dismiss", onclick: () => (box.hidden = true) }, "×"),
  );
  box.hidden = false;
  if (error.status === 401 || error.status === 403 || $("key").getAttribute("aria-invalid") === "true") $("key").focus();
}

function problemView(error) {
  return el("div", { class: "problem", role: "alert" }, el("strong", {}, error.title || "error"), error.detail ? el("p", {}, error.detail) : null);
}

// ---- the library line: checks the key too ----------------------------------------------------------

async function library() {
  const line = $("library");
  try {
    const page = await api("/v1/documents?status=indexed&limit=1");
    line.textContent = `${page.total} document${page.total === 1 ? "" : "s"} indexed`;
    $("notice").hidden = true;
  } catch (error) {
    line.textContent = error.status === 401 ? "enter your API key to use the library" : "library unavailable";
    notice(error);
  }
}

// ---- conversations ---------------------------------------------------------------------------------

function drawList() {
  const list = $("conversations");
  if (!state.conversations.length) {
    list.replaceChildren(el("li", { class: "muted small empty" }, "no conversations yet"));
    return;
  }
  list.replaceChildren(
    ...state.conversations.map((c) => {
      const active = c.id === state.current;
      return el(
        "li",
        { class: active ? "active" : "" },
        el(
          "button",
          { type: "button", class: "conv", "aria-current": active ? "true" : null, onclick: () => select(c.id) },
          el("span", { class: "conv-title" }, c.title),
          el("span", { class: "conv-meta" }, `${c.turns.length} question${c.turns.length === 1 ? "" : "s"}`),
        ),
        el("button", { type: "button", class: "conv-delete", "aria-label": `delete “${c.title}”`, title: "delete", onclick: () => remove(c.id) }, "×"),
      );
    }),
  );
}

function select(id) {
  state.current = id;
  save();
  drawList();
  drawThread();
  $("question").focus();
}

function remove(id) {
  state.conversations = state.conversations.filter((c) => c.id !== id);
  if (state.current === id) state.current = null;
  save();
  drawList();
  drawThread();
}

// ---- the thread --------------------------------------------------------------------------------------

function welcome() {
  return el(
    "div",
    { class: "welcome" },
    el("h2", {}, "Ask your documents"),
    el("p", {}, "Answers come from the documents in the library, with their sources: click a marker such as ", el("span", { class: "cite demo" }, "1"), " to read the passage."),
    el("p", { class: "muted" }, "Drop files anywhere on the page to add them to the library."),
  );
}

function drawThread() {
  const thread = $("thread");
  const conv = current();
  if (!conv || !conv.turns.length) {
    thread.replaceChildren(welcome());
    return;
  }
  thread.replaceChildren(...conv.turns.flatMap(turnView));
  thread.scrollTop = thread.scrollHeight;
}

function turnView(turn) {
  const answer = el("article", { class: "msg bot", "aria-label": `answer to: ${turn.question}` });
  views.set(turn, answer);
  fill(turn);
  return [el("div", { class: "msg user" }, el("div", { class: "bubble" }, turn.question)), answer];
}

function fill(turn) {
  const box = views.get(turn);
  if (!box) return;
  const conv = state.conversations.find((c) => c.turns.includes(turn));
  if (turn.record) {
    box.dataset.state = turn.record.refused ? "refused" : "answered";
    box.replaceChildren(...answerView(turn.record, (ref) => openSource(turn.record, ref)), footer(turn));
  } else if (turn.error) {
    box.dataset.state = "error";
    box.replaceChildren(turn.partial ? el("div", { class: "answer-text" }, el("p", {}, turn.partial)) : "", problemView(turn.error));
  } else {
    box.dataset.state = "streaming";
    const text = el("p", {}, turn.partial || "");
    box.replaceChildren(
      el("div", { class: "answer-text streaming" }, text),
      turn.partial ? "" : el("div", { class: "thinking", role: "status" }, el("span", { class: "dots", "aria-hidden": "true" }), "searching the documents…"),
    );
  }
  if (conv && conv.id === state.current) box.scrollIntoView({ block: "end" });
}

function icon(down) {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("aria-hidden", "true");
  const g = document.createElementNS(ns, "g");
  if (down) g.setAttribute("transform", "rotate(180 12 12)");
  for (const d of ["M3 10h4v11H3z", "M7 10l4-7c1.4 0 2.5 1.1 2.5 2.5V9h5.3a2 2 0 0 1 2 2.4l-1.4 7.4a2.7 2.7 0 0 1-2.6 2.2H7"]) {
    const path = document.createElementNS(ns, "path");
    path.setAttribute("d", d);
    g.append(path);
  }
  svg.append(g);
  return svg;
}

function footer(turn) {
  const record = turn.record;
  const status = el("span", { class: "feedback-status", role: "status" }, turn.rating ? "feedback recorded" : "");
  const thumb = (rating, label) =>
    el("button", { type: "button", class: "thumb", "aria-label": label, title: label, "aria-pressed": String(turn.rating === rating), onclick: () => rate(turn, rating, status) }, icon(rating < 0));
  return el(
    "footer",
    { class: "answer-foot" },
    thumb(1, "good answer"),
    thumb(-1, "bad answer"),
    status,
    el("span", { class: "trace" }, "trace ", el("code", {}, record.trace_id)),
  );
}

async function rate(turn, rating, status) {
  status.textContent = "sending…";
  try {
    const r = await api("/v1/feedback", postJSON({ trace_id: turn.record.trace_id, rating }));
    if (!r.recorded) throw new ApiError(0, "feedback not recorded", "");
    turn.rating = rating;
    save();
    fill(turn);
  } catch (error) {
    status.textContent = `not recorded: ${error.message}`;
    status.classList.add("bad");
  }
}

// ---- the passage a citation opens ---------------------------------------------------------------------

function openSource(record, ref) {
  const dialog = $("passage");
  const n = ref.n;
  $("passage-title").textContent = `${n ? `[${n}] ` : ""}${ref.source}`;
  $("passage-meta").textContent = [pagesOf(ref), ref.section].filter(Boolean).join(" · ");
  const text = (record.passages || {})[ref.chunk_id];
  const body = $("passage-text");
  body.replaceChildren(...(text ? passageText(text, record, ref.chunk_id, n) : [el("span", { class: "muted" }, "The passage's text is not in this answer's record.")]));
  const sentences = ((record.verification || {}).sentences || []).filter((s) => (ref.sentences || []).includes(s.index));
  $("passage-cited").replaceChildren(...(sentences.length ? [el("span", { class: "muted" }, "cited for: "), ...sentences.map((s) => el("q", {}, withoutMarkers(s.text)))] : []));
  dialog.showModal();
  // The highlighted part in view: a long passage may hold it far down.
  const first = body.querySelector("mark");
  body.scrollTop = first ? Math.max(0, first.offsetTop - body.offsetTop - 40) : 0;
}

// ---- asking --------------------------------------------------------------------------------------------

let busy = false;

function setBusy(value) {
  busy = value;
  $("send").disabled = value;
  $("composer").setAttribute("aria-busy", String(value));
}

async function ask(question) {
  let conv = current();
  if (!conv) {
    conv = { id: newId(), title: question.slice(0, 80), conversationId: null, turns: [], updated: Date.now() };
    state.conversations.unshift(conv);
    state.current = conv.id;
  }
  const turn = { question, record: null, error: null, partial: "", rating: 0 };
  conv.turns.push(turn);
  conv.updated = Date.now();
  save();
  drawList();
  if (conv.turns.length === 1) $("thread").replaceChildren();
  $("thread").append(...turnView(turn));
  setBusy(true);
  try {
    const body = { question, stream: true };
    if (conv.conversationId) body.conversation_id = conv.conversationId;
    const options = postJSON(body);
    options.headers.Accept = "text/event-stream";
    const response = await request("/v1/query", options);
    for await (const { event, data } of events(response)) {
      if (event === "token") {
        turn.partial += data.text;
        const box = views.get(turn);
        const text = box && box.querySelector(".streaming p");
        if (text) {
          text.textContent = turn.partial;
          const thinking = box.querySelector(".thinking");
          if (thinking) thinking.remove();
        }
      } else if (event === "answer") {
        turn.record = keep(data);
        conv.conversationId = data.conversation_id;
      } else if (event === "error") {
        turn.error = { title: data.title, detail: data.detail };
      }
    }
    if (!turn.record && !turn.error) turn.error = { title: "the answer stopped", detail: "the stream ended before the answer was complete" };
  } catch (error) {
    turn.error = { title: error.title || "error", detail: error.detail || error.message };
    if (error.status === 401 || error.status === 403) notice(error);
  }
  if (turn.record) delete turn.partial;
  save();
  fill(turn);
  setBusy(false);
}

// ---- wiring ----------------------------------------------------------------------------------------------

bindKey($("key"), library);

$("composer").addEventListener("submit", (event) => {
  event.preventDefault();
  const question = $("question").value.trim();
  if (!question || busy) return;
  $("question").value = "";
  ask(question);
});

$("question").addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    $("composer").requestSubmit();
  }
});

$("new-chat").addEventListener("click", () => select(null));

$("passage-close").addEventListener("click", () => $("passage").close());
$("passage").addEventListener("click", (event) => {
  if (event.target === $("passage")) $("passage").close(); // a click on the backdrop
});

bindUpload({ input: $("files"), pick: $("pick"), list: $("jobs"), notice, onDone: library });

drawList();
drawThread();
library();
