"""Prompt-injection screen on the labelled set (bench/injection_data.py): recall on attacks and false-positive
rate on benign chunks, on the test split (dev was used for tuning) and separately on every chunk of
sample_docs and ../shared/data/documents (benign by definition), with the cost per chunk of the screen
(the chunk's vector is computed at ingest anyway, so embedding is not counted; it is reported apart).

    python bench/injection_eval.py [--split test|dev] [--show-misses]

Targets (issue 15): recall >= 0.9, false positives <= 2%. Saves bench/results/injection.json. Not a test.
"""

from __future__ import annotations

import argparse
import time
from collections import defaultdict
from typing import Any

import numpy as np
from common import ROOT, SHARED, save
from injection_data import Item, build, document_chunks

from core.guard.injection import InjectionScreen


def rates(items: list[Item], flagged: list[bool]) -> dict[str, Any]:
    att = [f for i, f in zip(items, flagged, strict=True) if i.label == "attack"]
    ben = [f for i, f in zip(items, flagged, strict=True) if i.label == "benign"]
    quo = [f for i, f in zip(items, flagged, strict=True) if i.label == "quoted_attack"]
    by_style: dict[str, list[bool]] = defaultdict(list)
    by_lang: dict[str, list[bool]] = defaultdict(list)
    fp_by_style: dict[str, list[bool]] = defaultdict(list)
    for i, f in zip(items, flagged, strict=True):
        if i.label == "attack":
            by_style[i.style].append(f)
            by_lang[i.lang].append(f)
        elif i.label == "benign":
            fp_by_style[i.style].append(f)
    return {
        "attacks": len(att),
        "benign": len(ben),
        "recall": round(sum(att) / max(len(att), 1), 4),
        "false_positive_rate": round(sum(ben) / max(len(ben), 1), 4),
        "quoted_attacks_flagged": round(sum(quo) / max(len(quo), 1), 4),
        "recall_by_style": {k: round(sum(v) / len(v), 3) for k, v in sorted(by_style.items())},
        "recall_by_language": {k: round(sum(v) / len(v), 3) for k, v in sorted(by_lang.items())},
        "fp_by_style": {k: round(sum(v) / len(v), 3) for k, v in sorted(fp_by_style.items())},
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--split", choices=["dev", "test"], default="test")
    ap.add_argument(
        "--threshold", type=float, default=None, help="default: RAG_GUARDRAILS__INJECTION_THRESHOLD"
    )
    ap.add_argument("--show-misses", action="store_true", help="print misses (use on dev only)")
    args = ap.parse_args()

    import tempfile

    from app.runtime import Runtime
    from core.settings import load_settings

    settings = load_settings(data_dir=tempfile.mkdtemp(prefix="inj-eval-"))
    threshold = args.threshold if args.threshold is not None else settings.guardrails.injection_threshold
    rt = Runtime(settings)
    embedder = rt.embedder
    screen = InjectionScreen(embedder)

    items = [i for i in build() if i.split == args.split]
    t = time.perf_counter()
    vectors = embedder.embed_documents([i.text for i in items])
    embed_ms = (time.perf_counter() - t) * 1000 / len(items)
    screen.screen_many(["warm up"], vectors[:1])  # the attack set is embedded once, not timed per chunk
    t = time.perf_counter()
    screened = screen.screen_many([i.text for i in items], vectors)
    screen_ms = (time.perf_counter() - t) * 1000 / len(items)
    flagged = [s.score >= threshold for s in screened]
    patterns_only = [s.score >= threshold for s in screen.screen_many([i.text for i in items])]
    result: dict[str, Any] = {
        "split": args.split,
        "threshold": threshold,
        "attack_set": screen.attacks.version,
        "embedding_model": embedder.model_name,
        "labelled": rates(items, flagged),
        "labelled_patterns_only": rates(items, patterns_only),
        "cost_ms_per_chunk": {
            "screen": round(screen_ms, 4),
            "embedding_at_ingest_not_added": round(embed_ms, 3),
        },
    }
    if args.show_misses:
        for i, s, f in zip(items, screened, flagged, strict=True):
            if (i.label == "attack") != f and i.label != "quoted_attack":
                print(
                    f"{'MISS' if i.label == 'attack' else 'FP  '} {s.score:.2f} {s.reasons} "
                    f"{i.style}/{i.lang}: {i.text[:150]!r}"
                )

    paths = sorted((ROOT / "sample_docs").iterdir())
    shared = SHARED / "documents"
    if shared.is_dir():
        paths += sorted(p for p in shared.iterdir() if p.is_file())
    else:
        print(f"{shared} not found: only sample_docs are screened as real documents")
    chunks, failed = document_chunks(paths)
    rt.close()
    doc_vectors = embedder.embed_documents([c for _, c in chunks]) if chunks else np.zeros((0, 384))
    doc_screened = screen.screen_many([c for _, c in chunks], doc_vectors)
    doc_flags = [(src, s) for (src, _), s in zip(chunks, doc_screened, strict=True) if s.score >= threshold]
    result["documents"] = {
        "files": len(paths) - len(failed),
        "unreadable": failed,
        "chunks": len(chunks),
        "flagged": len(doc_flags),
        "false_positive_rate": round(len(doc_flags) / max(len(chunks), 1), 4),
        "flagged_sources": sorted({src for src, _ in doc_flags}),
        "max_score": round(max((s.score for s in doc_screened), default=0.0), 4),
    }
    for src, s in doc_flags:
        print(f"document FP {s.score:.2f} {s.reasons} {src}")

    lab = result["labelled"]
    print(
        f"{args.split}: recall {lab['recall']:.3f} on {lab['attacks']} attacks, false positives "
        f"{lab['false_positive_rate']:.2%} of {lab['benign']} benign; quoted attacks flagged "
        f"{lab['quoted_attacks_flagged']:.0%}"
    )
    po = result["labelled_patterns_only"]
    print(f"patterns only: recall {po['recall']:.3f}, FP {po['false_positive_rate']:.2%}")
    print(f"recall by style {lab['recall_by_style']}")
    print(f"recall by language {lab['recall_by_language']}")
    d = result["documents"]
    print(
        f"documents: {d['flagged']} of {d['chunks']} chunks flagged ({d['false_positive_rate']:.2%}), "
        f"{d['files']} files"
    )
    print(
        f"cost: {screen_ms:.3f} ms a chunk for the screen "
        f"({embed_ms:.2f} ms embedding, done at ingest anyway)"
    )
    save(f"injection-{args.split}", result)


if __name__ == "__main__":
    main()
