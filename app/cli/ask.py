"""``rag ask "question"``: a cited answer from the documents, with timing and tokens."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from app.cli.common import console, print_json, runtime
from rag.answer import Answer
from rag.answer_policy import strong
from rag.verify import Verification


def ask(
    question: Annotated[str, typer.Argument(help="The question.")],
    conversation: Annotated[
        str | None, typer.Option("--conversation", "-c", help="Continue this conversation (follow-ups).")
    ] = None,
    stream: Annotated[bool, typer.Option("--stream", help="Print the answer as it is generated.")] = False,
    prompt: Annotated[
        str | None, typer.Option("--prompt", help="Prompt template NAME@VERSION (overrides any A/B test).")
    ] = None,
    top_k: Annotated[int | None, typer.Option("--top-k", min=1, max=100, help="Chunks to retrieve.")] = None,
    tenant: Annotated[str | None, typer.Option(help="Tenant to ask (default: RAG_TENANT).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="The whole answer record as JSON.")] = False,
) -> None:
    """Answer a question from the ingested documents, citing them as [n]."""
    with runtime() as rt:
        rt.answerer.warm_up()
        answer: Answer | None = None
        pieces = rt.answerer.stream(
            question,
            tenant=tenant or rt.settings.tenant,
            conversation_id=conversation,
            prompt=prompt,
            top_k=top_k,
        )
        for item in pieces:
            if isinstance(item, Answer):
                answer = item
            elif stream and not as_json:
                console.print(item, end="", markup=False, highlight=False, soft_wrap=True)
        assert answer is not None
        rt.recorder.answer(answer, tenant or rt.settings.tenant, metadata={"via": "cli"})
    if as_json:
        print_json(answer.to_dict())
        return
    if stream:
        console.print()
    _print_answer(answer, printed=stream)


def _print_answer(a: Answer, printed: bool) -> None:
    if not printed:
        console.print(a.text, markup=False, highlight=False, soft_wrap=True)
    if a.refusal is not None:
        console.print(f"[yellow]not answered[/yellow] ({a.refusal.reason}): {a.refusal.message}")
    if a.verification is not None and a.verification.failed:
        console.print("[red]flagged:[/red] sentences of this answer do not hold up against the sources")
        _print_flags(a.verification, sentences=True)
    if a.policy == "evidence" and a.draft is not None and a.draft_verification is not None:
        console.print(f"[yellow]the model's draft failed verification:[/yellow] [dim]{escape(a.draft)}[/dim]")
        _print_flags(a.draft_verification, sentences=len(a.draft_verification.sentences) > 1)
    # A question refused for want of any close passage has no evidence worth reading.
    if a.evidence and (a.refusal is None or a.refusal.reason in ("unanswerable", "unsupported", "llm")):
        console.print("[bold]evidence[/bold]" if not a.refused else "[bold]closest passages[/bold]")
        quoted = strong(a.evidence)
        for e in a.evidence:
            where = e.source + (f" p.{','.join(map(str, e.pages))}" if e.pages else "")
            where += f" § {e.section}" if e.section else ""
            sure = e.answer is not None and not e.answer.guess and e in quoted
            span = f" [green]→ {escape(e.answer.text)}[/green]" if sure and e.answer else ""
            console.print(f"  [dim]{escape(where)}:[/dim] {escape(' '.join(e.text.split()))}{span}")
    if a.context and a.context.sources:
        cited = {c.n: c.origin for c in a.citations.citations} if a.citations else {}
        table = Table(title="sources", title_justify="left", show_edge=False)
        table.add_column("[n]", justify="right")
        table.add_column("document")
        table.add_column("page")
        table.add_column("section", max_width=50)
        table.add_column("cited")
        for s in a.context.sources:
            h = s.hit
            pages = ",".join(map(str, h.pages)) or "-"
            table.add_row(str(s.n), h.source, pages, h.section or "-", cited.get(s.n, ""))
        console.print(table)
    if a.citations and a.citations.uncited and a.draft is None:
        console.print(f"[dim]{len(a.citations.uncited)} sentence(s) without a citation from the model[/dim]")
    t = a.timings_ms
    steps = ", ".join(
        f"{name} {t[key]:.0f} ms"
        for name, key in [("rewrite", "rewrite"), ("retrieve", "search"), ("first token", "llm_first_token")]
        if key in t
    )
    u = a.usage
    cost = "" if a.cost is None else f" · cost {a.cost:.6f}"
    prompt = f"{a.prompt['name']}@{a.prompt['version']}" if a.prompt else "none"
    answerable = f" · answerability {a.answerability.score:.2f}" if a.answerability else ""
    console.print(
        f"[dim]{t['total']:.0f} ms ({steps}) · tokens {u.prompt_tokens} in / {u.completion_tokens} out{cost}"
        f" · prompt {prompt} · model {a.model['name']} · confidence {a.confidence.value:.2f}"
        f"{answerable}"
        f" · conversation {a.conversation_id}[/dim]"
    )
    if a.model.get("demo_quality"):
        console.print(f"[yellow]note:[/yellow] {a.model['note']}")


def _print_flags(verification: Verification, sentences: bool) -> None:
    """Each flagged sentence (when ``sentences``) and, under it, each claim that failed and why."""
    for i in verification.flagged:
        sentence = verification.sentences[i]
        if sentences:
            console.print(f"  [red]{sentence.verdict}[/red]: {escape(sentence.text)}")
        for check in sentence.checks:
            if check.verdict == sentence.verdict:
                claim = escape(repr(check.fact.text))
                console.print(f"    [red]{check.verdict}[/red] {claim}: {escape(check.describe())}")
