"""Claim verification on SQuAD 1.1 dev: are swapped facts flagged, and faithful sentences left alone?

For each question whose gold answer is a number, duration, money, percent, date or named entity (the
fact extractor's reading of the answer in its paragraph), the paragraph's sentence holding the answer is
a faithful answer; the same sentence with the answer replaced by another value of the same kind (same
unit, currency, time base or entity label group) from the same article is a hallucinated one. Each is
verified with the paragraph as its only source. Reported per kind: the share of hallucinated sentences
flagged (contradicted or unsupported) and of faithful ones flagged, and the time per sentence.

Develop on the calibration half (articles whose title is in squad.calibration_titles()); the held-out
half is the rest. No LLM, no index.

    .venv/bin/python bench/verification.py --split calibration|held-out [--questions N]
"""

from __future__ import annotations

import argparse
import random
import re
import time
from collections import defaultdict
from typing import Any

import squad
from common import percentile, save

from rag.facts import Fact, extract, normalise, warm_up
from rag.prompt.context import Source
from rag.sentences import sentence_spans
from rag.types import Hit
from rag.verify import FLAGGED, _conflicts, _same, verify_answer

_PLACE = {"GPE", "LOC", "FAC"}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--split", choices=["calibration", "held-out"], required=True)
    ap.add_argument("--questions", type=int, default=0, help="Sample this many cases (0 = all).")
    args = ap.parse_args()
    warm_up()
    articles = squad.v1_articles(args.split)
    t = time.perf_counter()
    cases = build_cases(articles, random.Random(0))
    print(f"{len(cases)} cases from {len(articles)} articles in {time.perf_counter() - t:.0f} s")
    if args.questions and args.questions < len(cases):
        cases = random.Random(0).sample(cases, args.questions)
    result = run(cases)
    result |= {"split": args.split, "articles": len(articles)}
    save(f"verification_{args.split.replace('-', '_')}", result)


def kind_of(f: Fact) -> str:
    if f.kind != "entity":
        return f.kind
    return "place" if f.label in _PLACE else f.label.lower()


def _compatible(a: Fact, b: Fact) -> bool:
    """b can stand in for a: same kind and comparable, with another value."""
    if kind_of(a) != kind_of(b) or _same(a, b) or _same(b, a) or normalise(a.text) == normalise(b.text):
        return False
    if a.kind == "entity":
        return a.value not in b.value and b.value not in a.value  # type: ignore[operator]
    return _conflicts(a, b, close=True)


def _gold_fact(paragraph: str, start: int, answer: str) -> Fact | None:
    """The fact of the paragraph that is the answer: same span, give or take a leading "the"."""
    end = start + len(answer)
    for f in extract(paragraph):
        if f.kind in {"negation", "quote"}:
            continue
        if abs(f.start - start) <= 4 and abs(f.end - end) <= 1 and normalise(f.text) == normalise(answer):
            return f
    return None


_SMALL_WORDS = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen".split()
)


def reword(f: Fact) -> str | None:
    """The fact written another way that says the same (a faithful answer need not copy its source)."""
    t = f.text
    if f.kind == "percent":
        m = re.fullmatch(r"([\d.,]+)\s*%", t) or re.fullmatch(r"([\d.,]+) (?:percent|per cent)", t)
        return None if m is None else (f"{m.group(1)} percent" if "%" in t else f"{m.group(1)}%")
    if f.kind in {"number", "duration"}:
        m = re.fullmatch(r"(\d{1,3}(?:,\d{3})+|\d+)((?:[ -][a-z]+)?)", t)
        if m is None or f.label == "ordinal":
            return None
        n = int(m.group(1).replace(",", ""))
        if "," in m.group(1):
            digits = str(n)
        elif n >= 10000:
            digits = f"{n:,}"
        elif n < len(_SMALL_WORDS):
            digits = _SMALL_WORDS[n]
        else:
            return None
        return digits + m.group(2).replace("-", " ", 1)
    if f.kind == "money":
        m = re.fullmatch(r"\$([\d.,]+)((?: (?:million|billion))?)", t)
        return None if m is None else f"{m.group(1)}{m.group(2)} dollars"
    if f.kind == "date":
        m = re.fullmatch(r"([A-Z][a-z]+) (\d{1,2}), (\d{4})", t)
        if m:
            return f"{m.group(2)} {m.group(1)} {m.group(3)}"
        m = re.fullmatch(r"(\d{1,2}) ([A-Z][a-z]+) (\d{4})", t)
        return None if m is None else f"{m.group(2)} {m.group(1)}, {m.group(3)}"
    if f.kind == "entity" and t.lower().startswith("the "):
        return t[4:]
    return None


def build_cases(articles: list[dict[str, Any]], rng: random.Random) -> list[dict[str, Any]]:
    cases = []
    for a in articles:
        pool: dict[str, list[Fact]] = defaultdict(list)
        for p in a["paragraphs"]:
            for f in extract(p["context"]):
                if f.kind not in {"negation", "quote"}:
                    pool[kind_of(f)].append(f)
        for p in a["paragraphs"]:
            ctx = p["context"]
            spans = sentence_spans(ctx)
            for q in p["qas"]:
                ans = q["answers"][0]
                gold = _gold_fact(ctx, ans["answer_start"], ans["text"])
                if gold is None:
                    continue
                sent = next(((s, e) for s, e in spans if s <= gold.start < e), None)
                if sent is None or gold.end > sent[1]:
                    continue
                others = {normalise(f.text): f for f in pool[kind_of(gold)] if _compatible(gold, f)}
                if not others:
                    continue
                other = others[rng.choice(sorted(others))]
                s, e = sent
                faithful = ctx[s:e]
                hallucinated = ctx[s : gold.start] + other.text + ctx[gold.end : e]
                alt = reword(gold)
                reworded = None if alt is None else ctx[s : gold.start] + alt + ctx[gold.end : e]
                cases.append(
                    {
                        "id": q["id"],
                        "kind": kind_of(gold),
                        "paragraph": ctx,
                        "faithful": faithful,
                        "hallucinated": hallucinated,
                        "reworded": reworded,
                        "gold": gold.text,
                        "swapped_in": other.text,
                    }
                )
    return cases


def _flagged(sentence: str, paragraph: str) -> tuple[bool, str, float]:
    hit = Hit(chunk_id="c1", doc_id="d1", source="p", text=paragraph, pages=[], section="", score=1, rank=1)
    t = time.perf_counter()
    _, v = verify_answer(sentence, [Source(1, hit, tokens=0)], None)
    ms = (time.perf_counter() - t) * 1000
    verdicts = [s.verdict for s in v.sentences]
    worst = next((x for x in ("contradicted", "unsupported", "supported") if x in verdicts), "unverifiable")
    return worst in FLAGGED, worst, ms / max(len(verdicts), 1)


def run(cases: list[dict[str, Any]]) -> dict[str, Any]:
    per: dict[str, dict[str, Any]] = defaultdict(lambda: defaultdict(int))
    ms: list[float] = []
    misses: dict[str, list[dict[str, str]]] = {
        "hallucinated_passed": [],
        "faithful_flagged": [],
        "reworded_flagged": [],
    }
    for c in cases:
        row = per[c["kind"]]
        row["cases"] += 1
        flag_h, verdict_h, ms_h = _flagged(c["hallucinated"], c["paragraph"])
        flag_f, verdict_f, ms_f = _flagged(c["faithful"], c["paragraph"])
        ms += [ms_h, ms_f]
        row["hallucinated_flagged"] += flag_h
        row[f"hallucinated_{verdict_h}"] += 1
        row["faithful_flagged"] += flag_f
        if c["reworded"] is not None:
            flag_r, verdict_r, ms_r = _flagged(c["reworded"], c["paragraph"])
            row["reworded"] += 1
            row["reworded_flagged"] += flag_r
            if flag_r and len(misses["reworded_flagged"]) < 40:
                misses["reworded_flagged"].append(
                    {"sentence": c["reworded"], "gold": c["gold"], "verdict": verdict_r}
                )
        if not flag_h and len(misses["hallucinated_passed"]) < 40:
            misses["hallucinated_passed"].append(
                {
                    "sentence": c["hallucinated"],
                    "gold": c["gold"],
                    "swapped_in": c["swapped_in"],
                    "verdict": verdict_h,
                }
            )
        if flag_f and len(misses["faithful_flagged"]) < 40:
            misses["faithful_flagged"].append(
                {"sentence": c["faithful"], "gold": c["gold"], "verdict": verdict_f}
            )
    total = defaultdict(int)
    for row in per.values():
        for k, v in row.items():
            total[k] += v
    per_kind = {k: _shares(v) for k, v in sorted(per.items(), key=lambda kv: -kv[1]["cases"])}
    out = {
        "cases": len(cases),
        "all": _shares(total),
        "per_kind": per_kind,
        "ms_per_sentence_p50": round(percentile(ms, 50), 2),
        "ms_per_sentence_p95": round(percentile(ms, 95), 2),
        "ms_per_sentence_mean": round(sum(ms) / max(len(ms), 1), 2),
        "examples": misses,
    }
    head = ("kind", "cases", "halluc. flagged", "faithful flagged", "reworded flagged")
    print(f"{head[0]:14s} {head[1]:>6s} {head[2]:>16s} {head[3]:>17s} {head[4]:>22s}")
    for k, v in [("all", out["all"]), *per_kind.items()]:
        h, f = v["hallucinated_flagged_share"], v["faithful_flagged_share"]
        r = v["reworded_flagged_share"]
        rw = "-" if r is None else f"{r:.3f} of {v['reworded']}"
        print(f"{k:14s} {v['cases']:6d} {h:16.3f} {f:17.3f} {rw:>22s}")
    print(f"ms per sentence: p50 {out['ms_per_sentence_p50']} p95 {out['ms_per_sentence_p95']}")
    return out


def _shares(row: dict[str, int]) -> dict[str, Any]:
    n = row["cases"]
    out: dict[str, Any] = dict(row)
    out["hallucinated_flagged_share"] = round(row["hallucinated_flagged"] / n, 4) if n else float("nan")
    out["faithful_flagged_share"] = round(row["faithful_flagged"] / n, 4) if n else float("nan")
    r = row.get("reworded", 0)
    out["reworded_flagged_share"] = round(row.get("reworded_flagged", 0) / r, 4) if r else None
    return out


if __name__ == "__main__":
    main()
