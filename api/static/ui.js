// The monitoring dashboard: reads /v1/monitor/* with the API key typed in, draws with uPlot (vendored).
"use strict";

const $ = (id) => document.getElementById(id);
const keyInput = $("key");
// The key lives in sessionStorage: this tab only, forgotten when it closes (localStorage would keep it
// indefinitely, for every page of this origin). An old copy from localStorage is removed.
localStorage.removeItem("rag-key");
keyInput.value = sessionStorage.getItem("rag-key") || "";
keyInput.addEventListener("change", () => sessionStorage.setItem("rag-key", keyInput.value));

function headers() {
  return keyInput.value ? { "X-API-Key": keyInput.value } : {};
}

async function api(path, options = {}) {
  const response = await fetch(path, { ...options, headers: { ...headers(), ...(options.headers || {}) } });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    throw new Error(`${response.status} ${body.title || ""}: ${body.detail || ""}`);
  }
  return body;
}

const fmt = (v, digits = 3) => (v === null || v === undefined ? "–" : typeof v === "number" ? +v.toFixed(digits) : String(v));
const pct = (v) => (v === null || v === undefined ? "–" : `${(100 * v).toFixed(1)}%`);

function text(tag, value, cls) {
  const el = document.createElement(tag);
  el.textContent = value;
  if (cls) el.className = cls;
  return el;
}

function table(el, columns, rows, onClick) {
  el.replaceChildren();
  const head = document.createElement("tr");
  columns.forEach(([label]) => head.appendChild(text("th", label)));
  el.appendChild(head);
  if (!rows.length) {
    const tr = document.createElement("tr");
    const td = text("td", "nothing in this window", "empty");
    td.colSpan = columns.length;
    tr.appendChild(td);
    el.appendChild(tr);
    return;
  }
  rows.forEach((row) => {
    const tr = document.createElement("tr");
    columns.forEach(([, get]) => tr.appendChild(text("td", get(row))));
    if (onClick) {
      tr.className = "clickable";
      tr.addEventListener("click", () => onClick(row));
    }
    el.appendChild(tr);
  });
}

const charts = {};
const PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf"];

function draw(id, xs, series, opts = {}) {
  const el = $(id);
  if (charts[id]) charts[id].destroy();
  el.replaceChildren();
  if (!xs.length) {
    el.appendChild(text("p", "no traces in this window yet", "empty"));
    delete charts[id];
    return;
  }
  const width = Math.max(el.clientWidth || 460, 300);
  const config = {
    width,
    height: 220,
    scales: { x: { time: opts.time !== false, ...(opts.xRange ? { range: opts.xRange } : {}) }, ...(opts.scales || {}) },
    series: [{}, ...series.map((s, i) => ({ stroke: PALETTE[i % PALETTE.length], width: 1.5, spanGaps: true, ...s.opts, label: s.label }))],
    axes: opts.axes,
  };
  charts[id] = new uPlot(config, [xs, ...series.map((s) => s.values)], el);
}

function cards(summary) {
  const items = [
    ["requests", summary.requests],
    ["answers", summary.queries],
    ["refusal rate", pct(summary.refusal_rate)],
    ["empty rate", pct(summary.empty_rate)],
    ["low confidence", pct(summary.low_confidence_rate)],
    ["citation coverage", pct(summary.citation_coverage_mean)],
    ["groundedness", fmt(summary.groundedness_mean)],
    ["sentences supported", pct(summary.sentences_supported_rate)],
    ["contradicted / unsupported", `${pct(summary.sentences_contradicted_rate)} / ${pct(summary.sentences_unsupported_rate)}`],
    ["answers flagged or replaced", pct(summary.flagged_rate)],
    ["answerability (mean)", fmt(summary.answerability_mean)],
    ["dense/sparse overlap@5", fmt(summary.overlap_at_5_mean)],
    ["latency p95 (ms)", fmt(summary.latency_ms_p95, 0)],
    ["tokens in / out", `${summary.tokens_in} / ${summary.tokens_out}`],
    ["cost", fmt(summary.cost, 4)],
    ["feedback", `${pct(summary.feedback_rate)} · ${fmt(summary.rating_mean, 2)}`],
    ["errors", summary.errors],
  ];
  $("cards").replaceChildren(
    ...items.map(([label, value]) => {
      const card = text("div", label, "card");
      card.prepend(text("b", value));
      return card;
    }),
  );
}

function timeCharts(data) {
  const pts = data.points;
  const xs = pts.map((p) => p.t);
  // The whole window, not just the buckets that have traces (one bucket alone has no width).
  const xRange = [Date.parse(data.since) / 1000, Date.now() / 1000];
  const steps = ["embed_query", "fusion", "prompt_build", "llm_first_token", "llm_total", "total"];
  const latency = [];
  steps.forEach((step) => {
    latency.push({ label: `${step} p50`, values: pts.map((p) => p[`${step}_p50`]) });
    latency.push({ label: `${step} p95`, values: pts.map((p) => p[`${step}_p95`]), opts: { dash: [4, 4] } });
  });
  draw("chart-latency", xs, latency, { xRange });
  draw("chart-rates", xs, [
    { label: "refusal", values: pts.map((p) => p.refusal_rate) },
    { label: "empty", values: pts.map((p) => p.empty_rate) },
    { label: "low confidence", values: pts.map((p) => p.low_confidence_rate) },
  ], { xRange });
  draw("chart-scores", xs, [
    { label: "top-1 dense", values: pts.map((p) => p.top1_dense_mean) },
    { label: "overlap@5", values: pts.map((p) => p.overlap_at_5_mean) },
    { label: "citation coverage", values: pts.map((p) => p.citation_coverage_mean) },
    { label: "groundedness", values: pts.map((p) => p.groundedness_mean) },
  ], { xRange });
  draw("chart-tokens", xs, [
    { label: "tokens in", values: pts.map((p) => p.tokens_in) },
    { label: "tokens out", values: pts.map((p) => p.tokens_out) },
    { label: "cost", values: pts.map((p) => p.cost), opts: { scale: "cost" } },
  ], { xRange, scales: { cost: {} }, axes: [{}, {}, { scale: "cost", side: 1 }] });
  const hist = data.histograms.top1_dense;
  const centers = hist.counts.map((_, i) => (hist.edges[i] + hist.edges[i + 1]) / 2);
  draw("chart-hist", hist.n ? centers : [], [
    { label: "queries", values: hist.counts, opts: { paths: uPlot.paths.bars({ size: [0.9] }), fill: "#1f77b455", points: { show: false } } },
  ], { time: false });
}

function driftPanel(report) {
  const el = $("drift");
  el.replaceChildren(text("p", `verdict: ${report.verdict} (baseline ${report.baseline.n} traces, recent ${report.recent.n})`, report.verdict === "drift" ? "breach" : "ok"));
  const t = document.createElement("table");
  table(t, [
    ["signal", (c) => c.signal],
    ["value", (c) => fmt(c.value, 4)],
    ["threshold", (c) => fmt(c.threshold, 4)],
    ["breach", (c) => (c.breach ? "yes" : "no")],
    ["how", (c) => c.detail],
  ], report.checks);
  el.appendChild(t);
}

function promptTable(rows) {
  table($("prompts"), [
    ["prompt", (r) => r.prompt],
    ["hash", (r) => r.hash],
    ["model", (r) => r.model],
    ["variant", (r) => r.variants.join(", ")],
    ["answers", (r) => r.answers],
    ["p50 / p95 ms", (r) => `${fmt(r.latency_ms_p50, 0)} / ${fmt(r.latency_ms_p95, 0)}`],
    ["tokens in / out", (r) => `${fmt(r.tokens_in_mean, 0)} / ${fmt(r.tokens_out_mean, 0)}`],
    ["cost", (r) => fmt(r.cost, 4)],
    ["refusal", (r) => pct(r.refusal_rate)],
    ["coverage", (r) => pct(r.citation_coverage_mean)],
    ["groundedness", (r) => fmt(r.groundedness_mean)],
    ["supported / contradicted / unsupported", (r) => `${pct(r.sentences_supported_rate)} / ${pct(r.sentences_contradicted_rate)} / ${pct(r.sentences_unsupported_rate)}`],
    ["feedback", (r) => `${pct(r.feedback_rate)} · ${fmt(r.rating_mean, 2)}`],
  ], rows);
}

function traceTable(items) {
  table($("traces"), [
    ["time", (t) => new Date(t.created_at).toLocaleString()],
    ["kind", (t) => t.kind],
    ["status", (t) => t.status + (t.refused ? ` (refused: ${t.refusal_reason})` : "")],
    ["ms", (t) => fmt(t.latency_ms, 0)],
    ["prompt", (t) => t.prompt || "–"],
    ["model", (t) => t.model || "–"],
    ["tokens", (t) => `${t.tokens_in} / ${t.tokens_out}`],
    ["top-1 dense", (t) => fmt((t.signals || {}).top1_dense)],
    ["chunks", (t) => (t.retrieval || []).length],
    ["question", (t) => (t.kind === "ingest" ? (t.metadata || {}).source || "–" : t.question || "(not logged)")],
  ], items, (t) => {
    const detail = $("trace-detail");
    detail.hidden = false;
    detail.textContent = JSON.stringify(
      { id: t.id, timings: t.timings, signals: t.signals, citations: t.citations, retrieved: t.retrieval, answer: t.answer },
      null,
      2,
    );
  });
}

async function refresh() {
  const hours = $("hours").value;
  const bucket = hours <= 1 ? 2 : hours <= 24 ? 30 : hours <= 168 ? 240 : 1440;
  $("status").textContent = "loading…";
  try {
    const [summary, series, drift, prompts, traces] = await Promise.all([
      api(`/v1/monitor/summary?hours=${hours}`),
      api(`/v1/monitor/timeseries?hours=${hours}&bucket_minutes=${bucket}`),
      api("/v1/monitor/drift"),
      api(`/v1/monitor/prompts?hours=${hours}`),
      api("/v1/monitor/traces?limit=50"),
    ]);
    cards(summary);
    timeCharts(series);
    driftPanel(drift);
    promptTable(prompts.prompts);
    traceTable(traces.items);
    $("status").textContent = `updated ${new Date().toLocaleTimeString()}`;
  } catch (error) {
    $("status").textContent = `cannot load: ${error.message}`;
  }
}

// Guardrail decisions (/v1/monitor/guardrails): per guard, how often it ran, flagged, and what it did.
async function guardrailTable() {
  try {
    const g = await api(`/v1/monitor/guardrails?hours=${$("hours").value}`);
    table($("guardrails"), [
      ["guard", (r) => r.guard],
      ["target", (r) => r.target],
      ["traces", (r) => r.traces],
      ["flagged", (r) => `${r.flagged} (${pct(r.flagged_rate)})`],
      ["actions", (r) => Object.entries(r.actions).map(([a, n]) => `${a} ${n}`).join(", ")],
    ], g.guards);
  } catch (error) {
    $("guardrails").replaceChildren(text("caption", `cannot load: ${error.message}`));
  }
}
$("refresh").addEventListener("click", guardrailTable);
$("hours").addEventListener("change", guardrailTable);
guardrailTable();

$("refresh").addEventListener("click", refresh);
$("hours").addEventListener("change", refresh);

// Slices (GET /v1/monitor/slices): one row per key=value, each cell "slice / rest", breaches first.
const SLICE_SIGNALS = [
  ["confidence", "confidence", fmt],
  ["empty_rate", "empty", pct],
  ["refusal_rate", "refused", pct],
  ["unsupported_share", "unsupported", pct],
  ["groundedness", "groundedness", fmt],
  ["thumbs_up_rate", "thumbs up", pct],
];

function sliceCell(check, show) {
  if (!check || check.value === null) return "–";
  const cell = `${show(check.value)} / ${show(check.rest)}`;
  return check.verdict === "breach" ? `${cell} ⚠ q=${check.q.toExponential(1)}` : cell;
}

async function slicePanel() {
  try {
    const r = await api(`/v1/monitor/slices?hours=${$("hours").value}`);
    const bad = r.slices.filter((s) => s.verdict === "breach").length;
    $("slices-note").textContent = `${bad} slice(s) in breach (${r.breaches.length} signal(s)) over ${r.traces} traces; a slice needs ${r.min_samples} traces, and so does its rest; Benjamini-Hochberg at ${r.alpha}`;
    const order = { breach: 0, ok: 1, insufficient: 2 };
    const rows = [...r.slices].sort((a, b) => order[a.verdict] - order[b.verdict] || b.volume - a.volume);
    table($("slices"), [
      ["slice", (s) => `${s.key}=${s.value}`],
      ["traces", (s) => s.volume],
      ["verdict", (s) => s.verdict],
      ...SLICE_SIGNALS.map(([name, label, show]) => [label, (s) => sliceCell(s.signals[name], show)]),
    ], rows);
    $("slices").querySelectorAll("tr").forEach((tr, i) => {
      if (i > 0 && rows[i - 1] && rows[i - 1].verdict === "breach") tr.className = "breach";
    });
  } catch (error) {
    $("slices-note").textContent = `cannot load slices: ${error.message}`;
  }
}

$("refresh").addEventListener("click", slicePanel);
$("hours").addEventListener("change", slicePanel);
slicePanel();

function where(x) {
  return `${x.source}${x.pages.length ? ` p. ${x.pages.join(",")}` : ""}${x.section ? ` · ${x.section}` : ""}`;
}

// The answer, one line per sentence when it was verified, flagged sentences marked.
function answerParagraphs(a) {
  const v = a.verification;
  if (!v || !v.sentences.length) return [text("p", a.answer)];
  const p = document.createElement("p");
  v.sentences.forEach((s) => {
    const flagged = s.verdict === "contradicted" || s.verdict === "unsupported";
    const span = text("span", `${s.text} `, flagged ? "flagged" : "");
    if (flagged) span.title = s.verdict;
    p.appendChild(span);
  });
  return [p];
}

function flags(out, v) {
  if (!v) return;
  v.sentences.filter((s) => s.verdict === "contradicted" || s.verdict === "unsupported").forEach((s) => {
    const line = text("div", `${s.verdict}: ${s.text}`, "flag");
    s.checks.filter((c) => c.verdict === s.verdict).forEach((c) => {
      line.appendChild(text("div", c.source_text ? `“${c.fact.text}” vs [${c.source}] “${c.source_text}”` : `“${c.fact.text}” is in none of the sources`, "empty"));
    });
    out.appendChild(line);
  });
}

$("ask").addEventListener("submit", async (event) => {
  event.preventDefault();
  const out = $("answer");
  out.textContent = "asking…";
  try {
    const question = new FormData(event.target).get("question");
    const a = await api("/v1/query", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ question }) });
    out.replaceChildren(...answerParagraphs(a));
    (a.citations || []).forEach((c) => out.appendChild(text("div", `[${c.n}] ${where(c)} (${c.origin})`)));
    if (a.refusal) out.appendChild(text("div", `not answered: ${a.refusal.message}`));
    flags(out, a.verification);
    if (a.draft) {
      out.appendChild(text("div", "the model's draft failed verification:", "flag"));
      out.appendChild(text("div", a.draft.text, "draft"));
      flags(out, a.draft.verification);
    }
    if (a.evidence && a.evidence.length) {
      out.appendChild(text("h3", a.refused ? "closest passages" : "evidence"));
      a.evidence.forEach((e) => {
        const item = text("div", `${where(e)}: ${e.text}`, "evidence");
        if (e.answer && !e.answer.guess) item.appendChild(text("b", ` → ${e.answer.text}`));
        out.appendChild(item);
      });
    }
    if (a.answerability) out.appendChild(text("div", `answerability ${fmt(a.answerability.score)} (threshold ${fmt(a.answerability.threshold)})`, "empty"));
    if (a.model.note) out.appendChild(text("div", a.model.note, "empty"));
    refresh();
  } catch (error) {
    out.textContent = error.message;
  }
});

$("upload").addEventListener("submit", async (event) => {
  event.preventDefault();
  const out = $("uploaded");
  out.textContent = "uploading…";
  try {
    const r = await api("/v1/documents?wait=true", { method: "POST", body: new FormData(event.target) });
    out.replaceChildren(...r.documents.map((d) => text("div", `${d.source}: ${d.job ? d.job.state : d.status}${d.job && d.job.error ? ` (${d.job.error})` : ""}`)));
    refresh();
  } catch (error) {
    out.textContent = error.message;
  }
});

refresh();
