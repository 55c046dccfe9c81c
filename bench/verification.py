"""Claim verification on SQuAD 1.1 dev: are swapped facts flagged, and faithful sentences left alone?

For each question whose gold answer is a number, duration, money, percent, date or named entity (the
fact extractor's reading of the answer in its paragraph), the paragraph's sentence holding the answer is
a faithful answer; the same sentence with the answer replaced by another value of the same kind (same
unit, currency, time base or entity label group) from the same article is a hallucinated one. Two
protocols (--protocol both by default):

- paragraph: each sentence verified with its own paragraph as the only source;
- top5: with the article's 5 paragraphs nearest the question by the product's embedder, as the Answerer
  checks against its top 5 chunks (the gold paragraph replaces the 5th when retrieval missed it): support
  must come from the sentence about the claim, not from the same value in a distractor.

Besides the copied sentences (which word alignment judges), question-form claims ("Which team won Super
Bowl 50: Denver Broncos."), faithful and hallucinated, judged on the verdict of their answer alone: no
source sentence to copy, so relatedness decides. Reported per kind: the share of hallucinated sentences
flagged (contradicted or unsupported) and of faithful ones flagged, and the time per sentence.

Develop on the calibration half (articles whose title is in squad.calibration_titles()); the held-out
half is the rest. No LLM, no index.

    .venv/bin/python bench/verification.py --split calibration|held-out [--questions N] [--protocol P]
"""

from __future__ import annotations

import argparse
import random
import re
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import squad
from common import percentile, save

from core.types import Hit
from rag.facts import Fact, extract, normalise, warm_up
from rag.prompt.context import Source
from rag.sentences import sentence_spans
from rag.verify import FLAGGED, verify_answer
from rag.verify.compare import conflicts as _conflicts
from rag.verify.compare import label_group
from rag.verify.compare import same as _same


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--split", choices=["calibration", "held-out"], required=True)
    ap.add_argument("--questions", type=int, default=0, help="Sample this many cases (0 = all).")
    ap.add_argument(
        "--protocol",
        choices=["both", "paragraph", "top5"],
        default="both",
        help="paragraph: each sentence against its own paragraph; top5: against the article's 5 paragraphs "
        "nearest the question (the gold one put in if retrieval missed it), as the Answerer checks.",
    )
    args = ap.parse_args()
    warm_up()
    articles = squad.v1_articles(args.split)
    t = time.perf_counter()
    cases = build_cases(articles, random.Random(0))
    print(f"{len(cases)} cases from {len(articles)} articles in {time.perf_counter() - t:.0f} s")
    if args.questions and args.questions < len(cases):
        cases = random.Random(0).sample(cases, args.questions)
    result: dict[str, Any] = {"split": args.split, "articles": len(articles)}
    if args.protocol in {"both", "paragraph"}:
        print("protocol: own paragraph")
        for c in cases:
            c["sources"] = [c["paragraph"]]
        result["paragraph"] = run(cases)
    if args.protocol in {"both", "top5"}:
        t = time.perf_counter()
        forced = add_top5(cases, articles)
        print(
            f"protocol: top 5 paragraphs of the article ({forced} of {len(cases)} with the gold paragraph "
            f"put in; retrieval {time.perf_counter() - t:.0f} s)"
        )
        result["top5"] = run(cases) | {"gold_put_in": forced}
    save(f"verification_{args.split.replace('-', '_')}", result)


def add_top5(cases: list[dict[str, Any]], articles: list[dict[str, Any]], k: int = 5) -> int:
    """Each case's sources: the k paragraphs of its article nearest its question by the product's
    embedder, in that order; the gold paragraph replaces the last when retrieval missed it. Returns how
    many cases needed that."""
    import numpy as np

    from app.runtime import Runtime
    from core.settings import load_settings

    with tempfile.TemporaryDirectory() as d:
        rt = Runtime(load_settings(data_dir=Path(d)))
        try:
            encoder = rt.embedder
            by_title = {a["title"]: [p["context"] for p in a["paragraphs"]] for a in articles}
            wanted = {c["title"] for c in cases}
            vectors = {t: _unit(encoder.embed_documents(by_title[t])) for t in sorted(wanted)}
            questions = _unit(encoder.embed_documents([c["question"] for c in cases]))
            forced = 0
            for c, q in zip(cases, questions, strict=True):
                order = list(np.argsort(-(vectors[c["title"]] @ q))[:k])
                if c["paragraph_index"] not in order:
                    order[-1] = c["paragraph_index"]
                    forced += 1
                c["sources"] = [by_title[c["title"]][int(i)] for i in order]
            return forced
        finally:
            rt.close()


def _unit(m: Any) -> Any:
    import numpy as np

    m = np.asarray(m, dtype=np.float32)
    return m / np.maximum(np.linalg.norm(m, axis=1, keepdims=True), 1e-9)


def kind_of(f: Fact) -> str:
    """What a swapped-in value must be: a fact of the same kind; for a name, of the same label group
    (rag.verify.compare: the recogniser's place labels count as one)."""
    return label_group(f.label).lower() if f.kind == "entity" else f.kind


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


def asked(question: str, answer: str) -> str:
    """A claim in the question's words: "Which team won Super Bowl 50: Denver Broncos." Its word order is
    not the source sentence's, so mostly relatedness (rag.verify.support) judges it. Only the verdict on
    the answer counts (_answer_flagged)."""
    return f"{question.strip().rstrip('?').strip()}: {answer}."


def build_cases(articles: list[dict[str, Any]], rng: random.Random) -> list[dict[str, Any]]:
    cases = []
    for a in articles:
        pool: dict[str, list[Fact]] = defaultdict(list)
        for p in a["paragraphs"]:
            for f in extract(p["context"]):
                if f.kind not in {"negation", "quote"}:
                    pool[kind_of(f)].append(f)
        for pi, p in enumerate(a["paragraphs"]):
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
                        "question": q["question"],
                        "title": a["title"],
                        "paragraph_index": pi,
                        "kind": kind_of(gold),
                        "paragraph": ctx,
                        "faithful": faithful,
                        "hallucinated": hallucinated,
                        "reworded": reworded,
                        # The question answered in its own words, not the source's: no sentence to copy.
                        "asked": asked(q["question"], gold.text),
                        "asked_hallucinated": asked(q["question"], other.text),
                        "gold": gold.text,
                        "swapped_in": other.text,
                    }
                )
    return cases


def _flagged(sentence: str, paragraphs: list[str]) -> tuple[bool, str, float]:
    sources = [
        Source(n, Hit(chunk_id=f"c{n}", doc_id=f"d{n}", source="p", text=text, pages=[], section="",
                      score=1, rank=n), tokens=0)
        for n, text in enumerate(paragraphs, 1)
    ]  # fmt: skip
    t = time.perf_counter()
    _, v = verify_answer(sentence, sources, None)
    ms = (time.perf_counter() - t) * 1000
    verdicts = [s.verdict for s in v.sentences]
    worst = next((x for x in ("contradicted", "unsupported", "supported") if x in verdicts), "unverifiable")
    return worst in FLAGGED, worst, ms / max(len(verdicts), 1)


def _answer_flagged(claim: str, paragraphs: list[str]) -> tuple[bool, str]:
    """The verdict on the answer of a question-form claim (what follows its colon), the question's own
    names and figures left aside: they are often only implied by the source ("the city" for Warsaw)."""
    sources = [
        Source(n, Hit(chunk_id=f"c{n}", doc_id=f"d{n}", source="p", text=text, pages=[], section="",
                      score=1, rank=n), tokens=0)
        for n, text in enumerate(paragraphs, 1)
    ]  # fmt: skip
    _, v = verify_answer(claim, sources, None)
    sentence = v.sentences[-1]
    at = claim.rfind(": ") + 2
    verdicts = {c.verdict for c in sentence.checks if c.fact.end > at}
    worst = next((x for x in ("contradicted", "unsupported", "supported") if x in verdicts), "unverifiable")
    return worst in FLAGGED, worst


def run(cases: list[dict[str, Any]]) -> dict[str, Any]:
    per: dict[str, dict[str, Any]] = defaultdict(lambda: defaultdict(int))
    ms: list[float] = []
    misses: dict[str, list[dict[str, str]]] = {
        "hallucinated_passed": [],
        "faithful_flagged": [],
        "reworded_flagged": [],
        "asked_flagged": [],
        "asked_hallucinated_passed": [],
    }
    for c in cases:
        row = per[c["kind"]]
        row["cases"] += 1
        flag_h, verdict_h, ms_h = _flagged(c["hallucinated"], c["sources"])
        flag_f, verdict_f, ms_f = _flagged(c["faithful"], c["sources"])
        ms += [ms_h, ms_f]
        row["hallucinated_flagged"] += flag_h
        row[f"hallucinated_{verdict_h}"] += 1
        row["faithful_flagged"] += flag_f
        flag_qf, verdict_qf = _answer_flagged(c["asked"], c["sources"])
        flag_qh, verdict_qh = _answer_flagged(c["asked_hallucinated"], c["sources"])
        row["asked_flagged"] += flag_qf
        row["asked_hallucinated_flagged"] += flag_qh
        # Nothing recognised in the answer (a name the recogniser misses): extraction, not the checking.
        row["asked_hallucinated_unverifiable"] += verdict_qh == "unverifiable"
        if flag_qf and len(misses["asked_flagged"]) < 40:
            misses["asked_flagged"].append({"sentence": c["asked"], "verdict": verdict_qf})
        if not flag_qh and len(misses["asked_hallucinated_passed"]) < 40:
            misses["asked_hallucinated_passed"].append(
                {"sentence": c["asked_hallucinated"], "gold": c["gold"], "verdict": verdict_qh}
            )
        if c["reworded"] is not None:
            flag_r, verdict_r, ms_r = _flagged(c["reworded"], c["sources"])
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
    head = ("kind", "cases", "halluc. flagged", "faithful flagged", "reworded flagged", "asked h / f flagged")
    print(f"{head[0]:14s} {head[1]:>6s} {head[2]:>16s} {head[3]:>17s} {head[4]:>22s} {head[5]:>20s}")
    for k, v in [("all", out["all"]), *per_kind.items()]:
        h, f = v["hallucinated_flagged_share"], v["faithful_flagged_share"]
        r = v["reworded_flagged_share"]
        rw = "-" if r is None else f"{r:.3f} of {v['reworded']}"
        qa = f"{v['asked_hallucinated_flagged_share']:.3f} / {v['asked_flagged_share']:.3f}"
        print(f"{k:14s} {v['cases']:6d} {h:16.3f} {f:17.3f} {rw:>22s} {qa:>20s}")
    print(f"ms per sentence: p50 {out['ms_per_sentence_p50']} p95 {out['ms_per_sentence_p95']}")
    return out


def _shares(row: dict[str, int]) -> dict[str, Any]:
    n = row["cases"]
    out: dict[str, Any] = dict(row)
    out["hallucinated_flagged_share"] = round(row["hallucinated_flagged"] / n, 4) if n else float("nan")
    out["faithful_flagged_share"] = round(row["faithful_flagged"] / n, 4) if n else float("nan")
    out["asked_flagged_share"] = round(row["asked_flagged"] / n, 4) if n else float("nan")
    out["asked_hallucinated_flagged_share"] = (
        round(row["asked_hallucinated_flagged"] / n, 4) if n else float("nan")
    )
    r = row.get("reworded", 0)
    out["reworded_flagged_share"] = round(row.get("reworded_flagged", 0) / r, 4) if r else None
    return out


if __name__ == "__main__":
    main()
