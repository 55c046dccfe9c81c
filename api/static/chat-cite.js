// Citations as the server writes and reads them: the marker regex mirrors rag/cite.py's MARKER ([2],
// [1, 3], [1; 3]); a citation's pages as the server renders them ("p. 3", "pp. 3-5, 7").
"use strict";

export const MARKER = /\[(\d+(?:\s*[,;]\s*\d+)*)\]/g;

// The source numbers a marker's inner text names, in order: "1; 3" -> [1, 3].
export function numbersOf(inner) {
  return inner.split(/\s*[,;]\s*/).map(Number);
}

// Text without its markers (and the space before each).
export function withoutMarkers(text) {
  return text.replace(new RegExp(`\\s*${MARKER.source}`, "g"), "");
}

// Pages with consecutive runs compressed: [3] -> "p. 3", [3, 4, 5, 7] -> "pp. 3-5, 7", [3, 7] -> "pp. 3, 7".
export function pagesOf(x) {
  const pages = [...new Set(x.pages || [])].sort((a, b) => a - b);
  if (!pages.length) return "";
  if (pages.length === 1) return `p. ${pages[0]}`;
  const runs = [];
  for (const page of pages) {
    const run = runs.at(-1);
    if (run && page === run[1] + 1) run[1] = page;
    else runs.push([page, page]);
  }
  return `pp. ${runs.map(([first, last]) => (first === last ? `${first}` : `${first}-${last}`)).join(", ")}`;
}
