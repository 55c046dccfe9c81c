"""The injection screen and the PII detector on a second blind held-out set (heldout2_guard_data.py).

Only the public interfaces. Document samples go through ``InjectionScreen(embedder).screen_many(texts,
embedder.embed_documents(texts))`` as at ingest; question samples through ``rag.screen.question_screening``
as at ask time; both flagged at ``GuardrailSettings().injection_threshold``. PII through
``detector(pii_entities, pii_min_score).find(text)``: a gold span is found when a predicted span of the same
kind overlaps at least half of it; precision is over every predicted span of the configured kinds.
Injection: recall by style, language and path; false positives by category, language and path. PII: recall
by kind, language and text style; precision; predictions that land on look-alikes (order ids, versions...).

    nice -n 5 .venv/bin/python bench/heldout2_guard_eval.py
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from typing import Any

from common import save
from heldout2_guard_data import ATTACKS, BENIGN, PII_TEXTS, Sample

from app.runtime import Runtime
from core.guard.injection import InjectionScreen
from core.guard.pii import detector
from core.settings import GuardrailSettings, Settings
from rag.screen import question_screening


def _rate(hits: int, n: int) -> float:
    return round(hits / n, 4) if n else float("nan")


def _grouped(samples: list[Sample], flagged: list[bool], key: str) -> dict[str, dict[str, Any]]:
    groups: dict[str, list[bool]] = defaultdict(list)
    for s, f in zip(samples, flagged, strict=True):
        groups[getattr(s, key)].append(f)
    return {k: {"n": len(v), "hit": sum(v), "rate": _rate(sum(v), len(v))} for k, v in sorted(groups.items())}


def injection(threshold: float) -> dict[str, Any]:
    embedder = Runtime(Settings()).embedder
    screen = InjectionScreen(embedder)
    samples = ATTACKS + BENIGN
    docs = [i for i, s in enumerate(samples) if s.path == "doc"]
    questions = [i for i, s in enumerate(samples) if s.path == "question"]
    scores = [0.0] * len(samples)
    t0 = time.perf_counter()
    texts = [samples[i].text for i in docs]
    for i, r in zip(docs, screen.screen_many(texts, embedder.embed_documents(texts)), strict=True):
        scores[i] = float(r.score)
    t1 = time.perf_counter()
    for i in questions:
        scores[i] = float(question_screening(screen, samples[i].text).score)
    t2 = time.perf_counter()
    flags = [sc >= threshold for sc in scores]
    att = [f for s, f in zip(samples, flags, strict=True) if s.attack]
    ben = [f for s, f in zip(samples, flags, strict=True) if not s.attack]
    return {
        "threshold": threshold,
        "n_attacks": len(ATTACKS),
        "n_benign": len(BENIGN),
        "seconds": {"documents": round(t1 - t0, 2), "questions": round(t2 - t1, 2)},
        "recall": _rate(sum(att), len(att)),
        "false_positive_rate": _rate(sum(ben), len(ben)),
        "recall_by_path": _grouped(ATTACKS, att, "path"),
        "recall_by_style": _grouped(ATTACKS, att, "style"),
        "recall_by_lang": _grouped(ATTACKS, att, "lang"),
        "fp_by_path": _grouped(BENIGN, ben, "path"),
        "fp_by_category": _grouped(BENIGN, ben, "style"),
        "fp_by_lang": _grouped(BENIGN, ben, "lang"),
        "missed": [
            {"style": s.style, "lang": s.lang, "path": s.path, "score": round(sc, 3), "text": s.text}
            for s, sc, f in zip(samples, scores, flags, strict=True)
            if s.attack and not f
        ],
        "false_positives": [
            {"category": s.style, "lang": s.lang, "path": s.path, "score": round(sc, 3), "text": s.text}
            for s, sc, f in zip(samples, scores, flags, strict=True)
            if not s.attack and f
        ],
    }


def _covers(pred_start: int, pred_end: int, start: int, end: int) -> bool:
    """The prediction overlaps at least half of the span."""
    return min(pred_end, end) - max(pred_start, start) >= 0.5 * (end - start)


def _recall_table(found: Counter[str], total: Counter[str]) -> dict[str, dict[str, Any]]:
    return {k: {"n": total[k], "hit": found[k], "rate": _rate(found[k], total[k])} for k in sorted(total)}


def pii(entities: list[str], min_score: float) -> dict[str, Any]:
    det = detector(entities, min_score)
    found: Counter[str] = Counter()
    total: Counter[str] = Counter()
    found_lang: Counter[str] = Counter()
    total_lang: Counter[str] = Counter()
    found_style: Counter[str] = Counter()
    total_style: Counter[str] = Counter()
    found_other_kind: Counter[str] = Counter()
    predicted = matched = 0
    pred_kinds: Counter[str] = Counter()
    unmatched_kinds: Counter[str] = Counter()
    decoys_hit: Counter[str] = Counter()
    decoys_total: Counter[str] = Counter()
    missed: list[dict[str, Any]] = []
    wrong: list[dict[str, Any]] = []
    t0 = time.perf_counter()
    for doc in PII_TEXTS:
        preds = [p for p in det.find(doc.text) if p.kind in entities]
        for g in doc.spans:
            total[g.kind] += 1
            total_lang[doc.lang] += 1
            total_style[doc.style] += 1
            if any(p.kind == g.kind and _covers(p.start, p.end, g.start, g.end) for p in preds):
                found[g.kind] += 1
                found_lang[doc.lang] += 1
                found_style[doc.style] += 1
                continue
            other = [p.kind for p in preds if _covers(p.start, p.end, g.start, g.end)]
            if other:
                found_other_kind[g.kind] += 1
            missed.append(
                {"kind": g.kind, "text": g.text, "style": doc.style, "lang": doc.lang, "found_as": other}
            )
        for p in preds:
            predicted += 1
            pred_kinds[p.kind] += 1
            # The recall rule seen from the prediction's side: it covers half of a gold span of its kind.
            if any(g.kind == p.kind and _covers(p.start, p.end, g.start, g.end) for g in doc.spans):
                matched += 1
                continue
            unmatched_kinds[p.kind] += 1
            on_decoy = [d.kind for d in doc.distractors if p.end > d.start and p.start < d.end]
            wrong.append(
                {
                    "kind": p.kind,
                    "text": doc.text[p.start : p.end],
                    "score": round(float(p.score), 3),
                    "style": doc.style,
                    "lang": doc.lang,
                    "on_distractor": on_decoy,
                }
            )
        for d in doc.distractors:
            decoys_total[d.kind] += 1
            if any(p.end > d.start and p.start < d.end for p in preds):
                decoys_hit[d.kind] += 1
    secs = time.perf_counter() - t0
    gold = sum(total.values())
    return {
        "entities": entities,
        "min_score": min_score,
        "texts": len(PII_TEXTS),
        "gold_spans": gold,
        "seconds": round(secs, 2),
        "recall": _rate(sum(found.values()), gold),
        "recall_by_kind": _recall_table(found, total),
        "recall_by_lang": _recall_table(found_lang, total_lang),
        "recall_by_style": _recall_table(found_style, total_style),
        "missed_but_found_as_other_kind": dict(found_other_kind),
        "predicted": predicted,
        "predicted_by_kind": dict(pred_kinds),
        "precision": _rate(matched, predicted),
        "unmatched_by_kind": dict(unmatched_kinds),
        "distractors": sum(decoys_total.values()),
        "distractors_hit": sum(decoys_hit.values()),
        "distractors_hit_by_kind": {k: f"{decoys_hit[k]}/{decoys_total[k]}" for k in sorted(decoys_total)},
        "missed": missed,
        "false_positives": wrong,
    }


def _table(title: str, rows: dict[str, dict[str, Any]]) -> None:
    print(f"  {title}")
    for k, v in rows.items():
        print(f"    {k:<18} {v['hit']:>4}/{v['n']:<4} {v['rate']:.3f}")


def main() -> None:
    g = GuardrailSettings()
    inj = injection(g.injection_threshold)
    print(
        f"\nInjection (threshold {g.injection_threshold}): recall {inj['recall']:.3f} of {inj['n_attacks']} "
        f"attacks, false positives {inj['false_positive_rate']:.3f} of {inj['n_benign']} benign "
        f"(documents {inj['seconds']['documents']} s, questions {inj['seconds']['questions']} s)"
    )
    _table("recall by path", inj["recall_by_path"])
    _table("recall by style", inj["recall_by_style"])
    _table("recall by language", inj["recall_by_lang"])
    _table("false positives by path", inj["fp_by_path"])
    _table("false positives by category", inj["fp_by_category"])
    _table("false positives by language", inj["fp_by_lang"])
    p = pii(list(g.pii_entities), g.pii_min_score)
    print(
        f"\nPII (min score {g.pii_min_score}): recall {p['recall']:.3f} of {p['gold_spans']} spans in "
        f"{p['texts']} texts, precision {p['precision']:.3f} of {p['predicted']} predictions, "
        f"distractors hit {p['distractors_hit']}/{p['distractors']} ({p['seconds']} s)"
    )
    _table("recall by kind", p["recall_by_kind"])
    _table("recall by language", p["recall_by_lang"])
    _table("recall by text style", p["recall_by_style"])
    print(f"  unmatched predictions by kind: {p['unmatched_by_kind']}")
    print(f"  distractors hit by kind: {p['distractors_hit_by_kind']}")
    save("heldout2-guard", {"injection": inj, "pii": p})


if __name__ == "__main__":
    main()
