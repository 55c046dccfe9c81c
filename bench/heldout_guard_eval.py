"""The injection screen and the PII detector on held-out sets their authors never saw (heldout_guard_data.py).

Only the public interfaces: ``InjectionScreen(embedder).screen_many(texts, vectors)`` with the service's
embedder (document vectors, as at ingest) and, for the question path, ``screen(text, query_vector)``, both
flagged at ``GuardrailSettings().injection_threshold``; ``detector(pii_entities, pii_min_score).find(text)``.
Injection: recall by style and language, false positives by category and language. PII: recall per entity
type (a gold span is found when a predicted span of the same type covers at least half of it), precision
over every predicted span, and predictions that land on look-alikes (order ids, versions, hashes...).

    nice -n 5 .venv/bin/python bench/heldout_guard_eval.py
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from typing import Any

from common import save
from heldout_guard_data import ATTACKS, BENIGN, PII_TEXTS, Sample

from app.runtime import Runtime
from core.guard.injection import InjectionScreen
from core.guard.pii import detector
from core.settings import GuardrailSettings, Settings


def _rate(hits: int, n: int) -> float:
    return round(hits / n, 4) if n else float("nan")


def _grouped(samples: list[Sample], flagged: list[bool], key: str) -> dict[str, dict[str, Any]]:
    groups: dict[str, list[bool]] = defaultdict(list)
    for s, f in zip(samples, flagged, strict=True):
        groups[getattr(s, key)].append(f)
    return {
        k: {"n": len(v), "flagged": sum(v), "rate": _rate(sum(v), len(v))} for k, v in sorted(groups.items())
    }


def injection(threshold: float) -> dict[str, Any]:
    embedder = Runtime(Settings()).embedder
    screen = InjectionScreen(embedder)
    samples = ATTACKS + BENIGN
    texts = [s.text for s in samples]
    t0 = time.perf_counter()
    vectors = embedder.embed_documents(texts)
    chunk_scores = [float(r.score) for r in screen.screen_many(texts, vectors)]
    t1 = time.perf_counter()
    question_scores = [float(screen.screen(t, embedder.embed_query(t)).score) for t in texts]
    t2 = time.perf_counter()
    out: dict[str, Any] = {"threshold": threshold, "n_attacks": len(ATTACKS), "n_benign": len(BENIGN)}
    for path, scores, secs in (("chunk", chunk_scores, t1 - t0), ("question", question_scores, t2 - t1)):
        flags = [sc >= threshold for sc in scores]
        att = [f for s, f in zip(samples, flags, strict=True) if s.attack]
        ben = [f for s, f in zip(samples, flags, strict=True) if not s.attack]
        out[path] = {
            "seconds": round(secs, 2),
            "recall": _rate(sum(att), len(att)),
            "false_positive_rate": _rate(sum(ben), len(ben)),
            "recall_by_style": _grouped(ATTACKS, att, "style"),
            "recall_by_lang": _grouped(ATTACKS, att, "lang"),
            "fp_by_category": _grouped(BENIGN, ben, "style"),
            "fp_by_lang": _grouped(BENIGN, ben, "lang"),
            "missed": [
                {"style": s.style, "lang": s.lang, "score": round(sc, 3), "text": s.text}
                for s, sc, f in zip(samples, scores, flags, strict=True)
                if s.attack and not f
            ],
            "false_positives": [
                {"category": s.style, "lang": s.lang, "score": round(sc, 3), "text": s.text}
                for s, sc, f in zip(samples, scores, flags, strict=True)
                if not s.attack and f
            ],
        }
    return out


def _covers(pred_start: int, pred_end: int, start: int, end: int) -> bool:
    """The prediction overlaps at least half of the span."""
    return min(pred_end, end) - max(pred_start, start) >= 0.5 * (end - start)


def pii(entities: list[str], min_score: float) -> dict[str, Any]:
    det = detector(entities, min_score)
    found: Counter[str] = Counter()
    total: Counter[str] = Counter()
    found_any_kind: Counter[str] = Counter()
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
            if any(p.kind == g.kind and _covers(p.start, p.end, g.start, g.end) for p in preds):
                found[g.kind] += 1
            else:
                other = [p.kind for p in preds if _covers(p.start, p.end, g.start, g.end)]
                if other:
                    found_any_kind[g.kind] += 1
                missed.append({"kind": g.kind, "text": g.text, "style": doc.style, "found_as": other})
        for p in preds:
            predicted += 1
            pred_kinds[p.kind] += 1
            # A prediction matches when it covers half of a gold span of its kind (the recall rule,
            # seen from the prediction's side).
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
        "recall_by_kind": {
            k: {"n": total[k], "found": found[k], "recall": _rate(found[k], total[k])} for k in sorted(total)
        },
        "missed_but_found_as_other_kind": dict(found_any_kind),
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


def _table(title: str, rows: dict[str, dict[str, Any]], field: str) -> None:
    print(f"  {title}")
    for k, v in rows.items():
        print(f"    {k:<18} {v['flagged'] if 'flagged' in v else v['found']:>4}/{v['n']:<4} {v[field]:.3f}")


def main() -> None:
    g = GuardrailSettings()
    inj = injection(g.injection_threshold)
    for path in ("chunk", "question"):
        r = inj[path]
        print(
            f"\nInjection ({path} path, threshold {g.injection_threshold}): recall {r['recall']:.3f} "
            f"of {inj['n_attacks']}, false positives {r['false_positive_rate']:.3f} of {inj['n_benign']} "
            f"({r['seconds']} s)"
        )
        _table("recall by style", r["recall_by_style"], "rate")
        _table("recall by language", r["recall_by_lang"], "rate")
        _table("false positives by category", r["fp_by_category"], "rate")
        _table("false positives by language", r["fp_by_lang"], "rate")
    p = pii(list(g.pii_entities), g.pii_min_score)
    print(
        f"\nPII (min score {g.pii_min_score}): recall {p['recall']:.3f} of {p['gold_spans']} spans in "
        f"{p['texts']} texts, precision {p['precision']:.3f} of {p['predicted']} predictions, "
        f"distractors hit {p['distractors_hit']}/{p['distractors']} ({p['seconds']} s)"
    )
    for k, v in p["recall_by_kind"].items():
        print(f"    {k:<18} {v['found']:>4}/{v['n']:<4} {v['recall']:.3f}")
    print(f"  unmatched predictions by kind: {p['unmatched_by_kind']}")
    print(f"  distractors hit by kind: {p['distractors_hit_by_kind']}")
    save("heldout-guard", {"injection": inj, "pii": p})


if __name__ == "__main__":
    main()
