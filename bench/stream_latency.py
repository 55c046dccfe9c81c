"""First-token latency of a streamed answer through the OpenAI-compatible endpoint
(``/v1/chat/completions``) against our own (``/v1/query``): a real ``rag serve`` on loopback, the sample
documents, the scripted LLM streaming its answer in pieces. The two are asked the same questions in
alternation, one request at a time, so both see the same server state.

    .venv/bin/python bench/stream_latency.py [--rounds 40]

First token: the first answer text to arrive (a ``token`` event; a chunk whose delta has content, not
the opening role-only chunk). Prints p50/p95 of first token and of the whole answer for each route and
the ratio chat/query; saves bench/results/stream_latency.json.
"""

from __future__ import annotations

import argparse
import json
import time

import httpx
from common import ROOT, percentile, save
from load import QUESTIONS
from server import Reply, serve

from rag_client.sse import events

PIECES = ["Employees get ", "27 days of paid ", "annual leave [1]."]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=40, help="questions per route (after 4 warm-up rounds)")
    ap.add_argument("--port", type=int, default=8766)
    args = ap.parse_args()

    with serve(args.port, ["bench"], reply=Reply(stream=PIECES, usage=(600, 12))) as server:
        base, headers = server.base, server.headers["bench"]
        files = [("files", (p.name, p.read_bytes())) for p in sorted((ROOT / "sample_docs").iterdir())]
        httpx.post(
            f"{base}/v1/documents?wait=true", files=files, headers=headers, timeout=600
        ).raise_for_status()
        routes = {"query": _query, "chat": _chat}
        times: dict[str, dict[str, list[float]]] = {r: {"first_ms": [], "total_ms": []} for r in routes}
        with httpx.Client(base_url=base, headers=headers, timeout=120) as http:
            for i in range(4 + args.rounds):
                q = QUESTIONS[i % len(QUESTIONS)]
                # Alternate which goes first, so neither always meets a warmer cache.
                for name in sorted(routes, reverse=i % 2 == 1):
                    first, total = routes[name](http, q)
                    if i >= 4:
                        times[name]["first_ms"].append(first)
                        times[name]["total_ms"].append(total)

    result: dict = {"rounds": args.rounds, "routes": {}}
    for name, t in times.items():
        stats = {k + f"_p{p}": percentile(v, p) for k, v in t.items() for p in (50, 95)}
        result["routes"][name] = stats
        first, total = (
            (stats["first_ms_p50"], stats["first_ms_p95"]),
            (stats["total_ms_p50"], stats["total_ms_p95"]),
        )
        print(
            f"  {name:6s} first token p50 {first[0]:7.1f} ms  p95 {first[1]:7.1f} ms"
            f"   whole answer p50 {total[0]:7.1f} ms  p95 {total[1]:7.1f} ms"
        )
    q, c = result["routes"]["query"], result["routes"]["chat"]
    result["chat_over_query_first_p50"] = c["first_ms_p50"] / q["first_ms_p50"]
    result["chat_over_query_first_p95"] = c["first_ms_p95"] / q["first_ms_p95"]
    print(
        f"  chat/query first token: p50 x{result['chat_over_query_first_p50']:.3f}, "
        f"p95 x{result['chat_over_query_first_p95']:.3f} (target: within 10%)"
    )
    save("stream_latency", result)


def _query(http: httpx.Client, question: str) -> tuple[float, float]:
    t = time.perf_counter()
    first = None
    with http.stream("POST", "/v1/query", json={"question": question, "stream": True}) as r:
        r.raise_for_status()
        for name, data in events(r.iter_lines()):
            if name == "error":
                raise SystemExit(f"/v1/query failed: {data}")
            if name == "token" and first is None and json.loads(data)["text"]:
                first = time.perf_counter()
    return _ms(t, first), _ms(t, time.perf_counter())


def _chat(http: httpx.Client, question: str) -> tuple[float, float]:
    t = time.perf_counter()
    first = None
    body = {"model": "rag", "messages": [{"role": "user", "content": question}], "stream": True}
    with http.stream("POST", "/v1/chat/completions", json=body) as r:
        r.raise_for_status()
        for _, data in events(r.iter_lines()):
            if data == "[DONE]":
                break
            chunk = json.loads(data)
            if "error" in chunk:
                raise SystemExit(f"/v1/chat/completions failed: {chunk['error']}")
            if first is None and chunk["choices"] and chunk["choices"][0]["delta"].get("content"):
                first = time.perf_counter()
    return _ms(t, first), _ms(t, time.perf_counter())


def _ms(t0: float, t: float | None) -> float:
    if t is None:
        raise SystemExit("a streamed answer brought no text")
    return (t - t0) * 1000


if __name__ == "__main__":
    main()
