// The chat page's talk with the API: the key typed in, JSON calls whose failures are the problem details
// the API sent (title, detail), and a reader of server-sent events over fetch (EventSource cannot POST).
"use strict";

const KEY = "rag-key"; // the dashboard's name: a key typed on one page serves the other in the same tab

export class ApiError extends Error {
  constructor(status, title, detail) {
    super(detail ? `${title}: ${detail}` : title);
    this.status = status;
    this.title = title;
    this.detail = detail;
    this.retryAfter = 0; // seconds, from a 429's Retry-After
  }
}

let keyInput = null;

// What a header can carry: printable ASCII, no spaces. Anything else the browser refuses to send (a
// fetch failing as if the server were down), so such a key is refused here and never sent.
const SENDABLE = /^[\x21-\x7e]*$/;
const UNSENDABLE = "an API key has only ASCII letters, digits and punctuation, no spaces: check what was pasted";

// The key lives in sessionStorage, as on the dashboard: this tab only, forgotten when it closes.
export function bindKey(input, onChange) {
  keyInput = input;
  localStorage.removeItem(KEY);
  input.value = sessionStorage.getItem(KEY) || "";
  const check = () => {
    const ok = SENDABLE.test(input.value.trim());
    input.setAttribute("aria-invalid", String(!ok));
    input.setCustomValidity(ok ? "" : UNSENDABLE);
    return ok;
  };
  check();
  input.addEventListener("input", check);
  input.addEventListener("change", () => {
    // A key that cannot be sent is not kept either: the dashboard shares this one.
    if (check()) sessionStorage.setItem(KEY, input.value.trim());
    else sessionStorage.removeItem(KEY);
    onChange();
  });
}

function auth() {
  const key = keyInput ? keyInput.value.trim() : "";
  if (!SENDABLE.test(key)) throw new ApiError(0, "API key not usable", UNSENDABLE);
  return key ? { "X-API-Key": key } : {}; // no key: the server may run with auth off
}

// A failed response as an ApiError: its problem details when it sent them (a 422's detail already lists
// each invalid field; its errors[] only stand in when there is no detail), else its status line; with
// the seconds its Retry-After asks to wait (0 when it says none).
export async function problemOf(response) {
  const body = await response.json().catch(() => null);
  let error;
  if (body && (body.title || body.detail)) {
    const errors = Array.isArray(body.errors) ? body.errors.map((e) => (e.where ? `${e.where}: ${e.message}` : e.message)).filter(Boolean) : [];
    error = new ApiError(response.status, body.title || response.statusText, body.detail || errors.join("; "));
  } else {
    error = new ApiError(response.status, `${response.status} ${response.statusText || "error"}`, "");
  }
  error.retryAfter = Number(response.headers.get("Retry-After")) || 0;
  return error;
}

export async function request(path, options = {}) {
  const headers = { ...auth(), ...(options.headers || {}) }; // throws, sending nothing, for a bad key
  let response;
  try {
    response = await fetch(path, { ...options, headers });
  } catch (error) {
    throw new ApiError(0, "the server cannot be reached", error.message);
  }
  if (!response.ok) throw await problemOf(response);
  return response;
}

export async function api(path, options = {}) {
  const response = await request(path, options);
  return response.status === 204 ? null : response.json();
}

export function postJSON(body) {
  return { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) };
}

// Server-sent events of a fetch response, as {event, data} with data parsed from JSON. Lines starting
// with ':' are comments (keep-alive pings) and are skipped; any of \r\n, \n, \r ends a line.
export async function* events(response) {
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  let name = "message";
  let data = [];
  const line = function* (text) {
    if (text === "") {
      if (data.length) yield { event: name, data: JSON.parse(data.join("\n")) };
      name = "message";
      data = [];
      return;
    }
    if (text.startsWith(":")) return;
    const colon = text.indexOf(":");
    const field = colon < 0 ? text : text.slice(0, colon);
    let value = colon < 0 ? "" : text.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "event") name = value;
    else if (field === "data") data.push(value);
  };
  for (;;) {
    const { value, done } = await reader.read();
    buffer += done ? decoder.decode() : decoder.decode(value, { stream: true });
    // A trailing \r may be the first half of \r\n: keep it until the next piece says.
    const end = done ? buffer.length : buffer.endsWith("\r") ? buffer.length - 1 : buffer.length;
    const lines = buffer.slice(0, end).split(/\r\n|\r|\n/);
    buffer = lines.pop() + buffer.slice(end);
    for (const text of lines) yield* line(text);
    if (done) {
      if (buffer) yield* line(buffer);
      yield* line("");
      return;
    }
  }
}
