// Uploads: files dropped on the page or picked go to POST /v1/documents (without waiting); each job is
// then followed on GET /v1/jobs/{id} until it is indexed or failed, its state and progress shown.
"use strict";

import { api } from "./chat-api.js";
import { el } from "./chat-answer.js";

const POLL_MS = 700;
const STATES = { queued: "queued", parsing: "parsing", chunking: "chunking", embedding: "embedding", indexed: "indexed", failed: "failed" };

function jobRow(source) {
  const state = el("span", { class: "state" }, "uploading…");
  const bar = el("progress", { max: "1", "aria-label": `progress of ${source}` });
  const note = el("div", { class: "job-note" });
  const row = el("li", { class: "job" }, el("div", { class: "job-head" }, el("span", { class: "job-name", title: source }, source), state), bar, note);
  const show = (label, tone, progress, message) => {
    state.textContent = label;
    row.dataset.state = tone;
    if (progress === null) bar.removeAttribute("value");
    else bar.value = progress;
    bar.hidden = tone === "indexed" || tone === "failed" || tone === "unchanged";
    note.textContent = message || "";
  };
  return { row, show };
}

function showJob(view, job) {
  const label = STATES[job.state] || job.state;
  if (job.state === "failed") view.show(label, "failed", 1, job.error || job.reason || "the job failed");
  else if (job.state === "indexed") view.show(label, "indexed", 1, `${job.chunks} chunk${job.chunks === 1 ? "" : "s"}${job.outcome && job.outcome !== "added" ? ` · ${job.outcome}` : ""}`);
  else view.show(label, "running", job.progress || null, "");
}

async function follow(view, jobId, onDone) {
  for (;;) {
    let job;
    try {
      job = await api(`/v1/jobs/${encodeURIComponent(jobId)}`);
    } catch (error) {
      view.show("unknown", "failed", 1, `cannot read the job: ${error.message}`);
      return;
    }
    showJob(view, job);
    if (job.state === "indexed" || job.state === "failed") {
      onDone(job);
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

export function bindUpload({ input, pick, list, notice, onDone }) {
  async function upload(files) {
    if (!files.length) return;
    const views = files.map((f) => jobRow(f.name));
    list.prepend(...views.map((v) => v.row).reverse());
    const form = new FormData();
    files.forEach((f) => form.append("files", f, f.name));
    let accepted;
    try {
      accepted = await api("/v1/documents", { method: "POST", body: form });
    } catch (error) {
      views.forEach((v) => v.show("refused", "failed", 1, error.message));
      notice(error);
      return;
    }
    accepted.documents.forEach((item, i) => {
      const view = views[i] || jobRow(item.source);
      if (item.job) {
        showJob(view, item.job);
        follow(view, item.job.id, onDone);
      } else {
        view.show(item.status === "unchanged" ? "unchanged" : item.status, "unchanged", 1, item.status === "unchanged" ? "already indexed with this content" : "");
      }
    });
  }

  pick.addEventListener("click", () => input.click());
  input.addEventListener("change", () => {
    upload([...input.files]);
    input.value = "";
  });
  // Files dropped anywhere on the page are uploaded (and never opened by the browser in place of it).
  let depth = 0;
  const hasFiles = (event) => [...(event.dataTransfer ? event.dataTransfer.types : [])].includes("Files");
  document.addEventListener("dragenter", (event) => {
    if (!hasFiles(event)) return;
    depth += 1;
    document.body.classList.add("dragging");
  });
  document.addEventListener("dragleave", () => {
    depth = Math.max(0, depth - 1);
    if (!depth) document.body.classList.remove("dragging");
  });
  document.addEventListener("dragover", (event) => {
    if (!hasFiles(event)) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "copy";
  });
  document.addEventListener("drop", (event) => {
    if (!hasFiles(event)) return;
    event.preventDefault();
    depth = 0;
    document.body.classList.remove("dragging");
    upload([...event.dataTransfer.files]);
  });
}
