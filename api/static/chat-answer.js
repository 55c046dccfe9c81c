// One answer drawn from its record: the text with clickable citation markers and its flagged sentences,
// the verification marks, a refusal with its reason, the sources, the evidence, and the passage a
// citation opens. Model and document text only ever reaches the page as text nodes.
"use strict";

import { MARKER, numbersOf, pagesOf } from "./chat-cite.js";
import { el } from "./chat-dom.js";

const FLAGGED = new Set(["contradicted", "unsupported"]);
const VERDICTS = [
  ["supported", "supported", "ok"],
  ["contradicted", "contradicted", "bad"],
  ["unsupported", "unsupported", "bad"],
  ["unverifiable", "nothing to check", "neutral"],
];

// What the page keeps of an answer record (localStorage): what it draws, and the text of the passages
// its citations and evidence point at (the record's retrieved hits carry it).
export function keep(record) {
  const wanted = new Set([...(record.citations || []), ...(record.evidence || [])].map((x) => x.chunk_id));
  const passages = {};
  for (const hit of record.hits || []) if (wanted.has(hit.chunk_id)) passages[hit.chunk_id] = hit.text;
  const pick = (x, names) => Object.fromEntries(names.map((n) => [n, x[n]]));
  return {
    ...pick(record, ["trace_id", "conversation_id", "question", "standalone_question", "answer", "refused"]),
    ...pick(record, ["refusal", "citations", "invalid_citations", "verification", "policy", "draft", "evidence"]),
    passages,
  };
}

export function where(x) {
  return [x.source, pagesOf(x)].filter(Boolean).join(" · ");
}

// Text with its [n], [n, m] and [n; m] markers made buttons that open source n (a marker naming no source
// stays text).
function cited(text, record, open) {
  const known = new Map((record.citations || []).map((c) => [c.n, c]));
  const out = [];
  let last = 0;
  for (const match of text.matchAll(MARKER)) {
    const ns = numbersOf(match[1]);
    if (!ns.every((n) => known.has(n))) continue;
    out.push(text.slice(last, match.index));
    for (const n of ns) {
      const c = known.get(n);
      out.push(el("button", { type: "button", class: "cite", "aria-label": `source ${n}: ${where(c)}`, onclick: () => open(c) }, String(n)));
    }
    last = match.index + match[0].length;
  }
  out.push(text.slice(last));
  return out;
}

// Why a sentence got its verdict: each of its checks with that verdict ("" when none says).
function whyOf(sentence) {
  return (sentence.checks || [])
    .filter((c) => c.verdict === sentence.verdict)
    .map((c) => (c.source_text ? `“${c.fact.text}” but source [${c.source}] says “${c.source_text}”` : `“${c.fact.text}” is in none of the sources`))
    .join("; ");
}

// A flagged sentence's verdict and, when known, why: "contradicted: “27 days” but source [1] says …".
function verdictOf(sentence) {
  const why = whyOf(sentence);
  return why ? `${sentence.verdict}: ${why}` : sentence.verdict;
}

// The answer's paragraphs, each flagged sentence (contradicted, unsupported) marked where it stands.
function answerText(text, record, open, verification) {
  const flagged = ((verification || {}).sentences || []).filter((s) => FLAGGED.has(s.verdict));
  const body = el("div", { class: "answer-text" });
  let cursor = 0;
  const pieces = [];
  for (const s of flagged) {
    const at = text.indexOf(s.text, cursor);
    if (at < 0) continue;
    pieces.push([text.slice(cursor, at), null], [s.text, s]);
    cursor = at + s.text.length;
  }
  pieces.push([text.slice(cursor), null]);
  let paragraph = el("p");
  body.append(paragraph);
  for (const [piece, sentence] of pieces) {
    if (sentence) {
      paragraph.append(el("mark", { class: `flagged ${sentence.verdict}`, title: verdictOf(sentence) }, cited(piece, record, open)));
      continue;
    }
    piece.split(/\n{2,}/).forEach((part, i) => {
      if (i > 0) {
        paragraph = el("p");
        body.append(paragraph);
      }
      paragraph.append(...cited(part, record, open));
    });
  }
  return body;
}

function marks(verification) {
  if (!verification) return null;
  const counts = verification.counts || {};
  const badges = VERDICTS.filter(([v]) => counts[v]).map(([v, label, tone]) =>
    el("span", { class: `badge ${tone}` }, `${counts[v]} ${label}`),
  );
  return badges.length ? el("div", { class: "marks", "aria-label": "verification of the answer's sentences" }, "verified against the sources: ", badges) : null;
}

function flags(verification) {
  const flagged = ((verification || {}).sentences || []).filter((s) => FLAGGED.has(s.verdict));
  if (!flagged.length) return null;
  return el("ul", { class: "flags" }, flagged.map((s) => el("li", {}, el("strong", {}, `${s.verdict}: `), `“${s.text}” `, el("span", { class: "muted" }, whyOf(s)))));
}

function sources(record, open) {
  const cs = record.citations || [];
  if (!cs.length) return null;
  return el(
    "div",
    { class: "sources" },
    el("span", { class: "muted" }, "sources"),
    cs.map((c) => el("button", { type: "button", class: "source", onclick: () => open(c) }, el("b", {}, `[${c.n}]`), ` ${where(c)}`)),
  );
}

function evidence(record, open) {
  const items = record.evidence || [];
  if (!items.length) return null;
  const label = record.refused ? "closest passages" : "evidence";
  return el(
    "details",
    { class: "evidence" },
    el("summary", {}, `${label} (${items.length})`),
    el(
      "ul",
      {},
      items.map((e) =>
        el(
          "li",
          {},
          el("q", {}, e.text),
          " ",
          el("button", { type: "button", class: "link", onclick: () => open(e) }, where(e)),
          e.answer && !e.answer.guess ? el("span", { class: "badge ok" }, e.answer.text) : null,
        ),
      ),
    ),
  );
}

function policyNote(record, open) {
  if (record.policy === "evidence") {
    const draft = record.draft;
    return el(
      "div",
      { class: "policy warn" },
      "The model's draft failed verification: this answer quotes the evidence instead.",
      draft ? el("details", {}, el("summary", {}, "the draft"), answerText(draft.text, record, open, draft.verification), flags(draft.verification)) : null,
    );
  }
  if (record.policy === "flagged") return el("div", { class: "policy warn" }, "Some sentences are not supported by the sources (marked).");
  return null;
}

// The whole answer from its record.
export function answerView(record, open) {
  const parts = [];
  if (record.refused) {
    const refusal = record.refusal || {};
    parts.push(
      el(
        "div",
        { class: "refusal", role: "note" },
        el("strong", {}, "Not answered"),
        el("span", { class: "badge neutral" }, (refusal.reason || "refused").replaceAll("_", " ")),
        el("p", {}, refusal.message || record.answer),
      ),
    );
  } else {
    parts.push(answerText(record.answer, record, open, record.verification));
    parts.push(policyNote(record, open), marks(record.verification), flags(record.verification));
  }
  if ((record.invalid_citations || []).length) {
    parts.push(el("div", { class: "policy warn" }, `The model cited ${record.invalid_citations.map((n) => `[${n}]`).join(", ")}, which no source has.`));
  }
  if (record.standalone_question && record.standalone_question !== record.question) {
    parts.push(el("div", { class: "muted small" }, `searched for: ${record.standalone_question}`));
  }
  parts.push(sources(record, open), evidence(record, open));
  return parts.filter(Boolean);
}

// A passage's text with the evidence sentences highlighted and, inside them, the facts the
// verification found (their offsets are in the chunk's text).
export function passageText(text, record, chunkId, n) {
  const level = new Uint8Array(text.length);
  const paint = (start, end, value) => {
    for (let i = Math.max(0, start); i < Math.min(end, text.length); i++) level[i] = Math.max(level[i], value);
  };
  for (const e of record.evidence || []) if (e.chunk_id === chunkId) paint(e.start, e.end, 1);
  if (n !== undefined) {
    for (const s of (record.verification || {}).sentences || []) {
      for (const c of s.checks || []) if (c.source === n && c.source_span && c.verdict === "supported") paint(c.source_span[0], c.source_span[1], 2);
    }
  }
  const out = [];
  let start = 0;
  for (let i = 1; i <= text.length; i++) {
    if (i < text.length && level[i] === level[start]) continue;
    const run = text.slice(start, i);
    out.push(level[start] === 0 ? run : el("mark", { class: level[start] === 2 ? "fact" : "quote" }, run));
    start = i;
  }
  return out;
}
