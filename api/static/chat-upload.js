// Uploads: files dropped on the page or picked go to POST /v1/documents (without waiting), BATCH at a
// time, one upload after the other (the server takes at most 20 files a request); one loop then follows
// every unfinished job on GET /v1/jobs/{id} until it is indexed or failed, its state and progress
// shown. The loop asks one job at a time, so twenty files cost no more requests than two.
"use strict";

import { api } from "./chat-api.js";
import { el } from "./chat-dom.js";

const ROUND_MS = 700; // a job alone is looked at this often; more share the rounds' requests
const GAP_MS = 300; // between two requests: at most ~200 a minute, a third of the default per-key limit
const TRIES = 4; // failures in a row (other than 401, 404, 429) before a row shows the error
const BACKOFF_MS = 1000; // after a failure, a job waits this long, doubled each further failure
const BATCH = 10; // files per upload request: well under the server's default limit of 20
const UPLOAD_TRIES = 4; // an upload refused with a 429 is sent again after its Retry-After, this often

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function jobRow(source) {
  const state = el("span", { class: "state" }, "waiting to upload…");
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
  if (job.state === "failed") view.show(job.state, "failed", 1, job.error || job.reason || "the job failed");
  else if (job.state === "indexed") view.show(job.state, "indexed", 1, `${job.chunks} chunk${job.chunks === 1 ? "" : "s"}${job.outcome && job.outcome !== "added" ? ` · ${job.outcome}` : ""}`);
  else view.show(job.state, "running", job.progress || null, "");
}

// The one loop following jobs: the function returned, (jobId, view), adds a job; onDone() runs after each
// round in which some job ended. A 429 pauses every request for as long as its Retry-After says (the
// limit is the key's, not the job's); only a 404 or a 401 ends a row at once; other failures are tried
// again after a growing pause, and show on the row after TRIES in a row.
function jobFollower(onDone) {
  const pending = new Map(); // job id -> {view, failures, next: when it may be asked again}
  let running = false;

  // One look at a job: true when it ended (indexed or failed).
  async function look(id, entry) {
    try {
      const job = await api(`/v1/jobs/${encodeURIComponent(id)}`);
      entry.failures = 0;
      showJob(entry.view, job);
      if (job.state !== "indexed" && job.state !== "failed") return false;
      pending.delete(id);
      return true;
    } catch (error) {
      if (error.status === 429) {
        await sleep(1000 * (error.retryAfter || 1));
        return false;
      }
      entry.failures += 1;
      if (error.status === 404 || error.status === 401 || entry.failures >= TRIES) {
        entry.view.show("unknown", "failed", 1, `cannot read the job: ${error.message}`);
        pending.delete(id);
        return false;
      }
      entry.next = Date.now() + BACKOFF_MS * 2 ** (entry.failures - 1);
      return false;
    }
  }

  async function run() {
    running = true;
    while (pending.size) {
      const round = sleep(ROUND_MS);
      let ended = false;
      for (const [id, entry] of [...pending]) {
        if (entry.next > Date.now()) continue;
        ended = (await look(id, entry)) || ended;
        if (pending.size > 1) await sleep(GAP_MS);
      }
      if (ended) onDone();
      await round;
    }
    running = false;
  }

  return (id, view) => {
    pending.set(id, { view, failures: 0, next: 0 });
    if (!running) run();
  };
}

export function bindUpload({ input, pick, list, notice, onDone }) {
  const follow = jobFollower(onDone);

  // One request's files, their rows shown as uploading, then each followed to its end (or refused).
  async function send(files, views) {
    views.forEach((v) => v.show("uploading…", "running", null, ""));
    const form = new FormData();
    files.forEach((f) => form.append("files", f, f.name));
    let accepted;
    for (let tries = 1; ; tries += 1) {
      try {
        accepted = await api("/v1/documents", { method: "POST", body: form });
        break;
      } catch (error) {
        if (error.status === 429 && tries < UPLOAD_TRIES) {
          await sleep(1000 * (error.retryAfter || 1));
          continue;
        }
        views.forEach((v) => v.show("refused", "failed", 1, error.message));
        notice(error);
        return;
      }
    }
    accepted.documents.forEach((item, i) => {
      // One item per file, in order; should the server ever answer more, each gets a row of its own.
      if (!views[i]) {
        views[i] = jobRow(item.source);
        views[i - 1].row.before(views[i].row);
      }
      const view = views[i];
      if (item.job) {
        showJob(view, item.job);
        follow(item.job.id, view);
      } else {
        view.show(item.status === "unchanged" ? "unchanged" : item.status, "unchanged", 1, item.status === "unchanged" ? "already indexed with this content" : "");
      }
    });
  }

  // Uploads run one after the other, across drops too: a second drop waits for the first's requests.
  let queue = Promise.resolve();

  function upload(files) {
    if (!files.length) return;
    const views = files.map((f) => jobRow(f.name));
    list.prepend(...views.map((v) => v.row).reverse()); // the newest on top
    for (let start = 0; start < files.length; start += BATCH) {
      const end = start + BATCH;
      const batch = views.slice(start, end);
      // A batch that broke says so on its rows, and holds up no other.
      queue = queue.then(() => send(files.slice(start, end), batch)).catch((error) => batch.forEach((v) => v.show("failed", "failed", 1, `the upload broke: ${error.message || error}`)));
    }
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
