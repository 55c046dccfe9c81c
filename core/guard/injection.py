# ruff: noqa: E501 - the pattern table reads best one pattern a line
"""Prompt-injection screen: a text -> a score in 0..1 and the reasons for it.

Three signals, combined as independent evidence (noisy-or: ``1 - prod(1 - s)``):

- patterns that address the model, in English, German, French, Spanish, Italian, Portuguese and Dutch:
  overriding its instructions, role play, asking for its system prompt, smuggling a tool call or a link
  with data in its query, chat role markers, notes "to AI assistants reading this". An imperative alone
  is not enough: "ignore the previous setting and restart the router" names no instructions or prompt,
  and "ignore the previous instructions" without anything addressing a model scores below the threshold;
- v2 (after a blind held-out set caught 37%): Polish, Swedish, Danish, Norwegian, Turkish, Czech and Romanian
  too; polite overrides ("earlier directions no longer apply" + a directive), exfiltration of the model's setup
  without any override, jailbreak personas, JSON tool calls, forged tool results, SQL to run, JSON role
  messages; an addressee ("any AI system that reads this") is weak alone (robots-style AI policies) and
  strong with a directive after it (say, rank, recommend, treat ...); look-alike letters (Cyrillic, Greek)
  folded, and leetspeak, letter-spaced, base64, ROT13 and reversed readings screened too ("obfuscated");
- text hidden from readers: Unicode tag characters (decoded and screened too), bidi overrides, zero-width
  characters inside words (removed before the patterns run, so they cannot split a phrase); HTML
  comments holding an instruction;
- the cosine similarity of the text's own dense vector (computed at ingest anyway) to a curated, versioned
  set of attack phrasings shipped in ``core/guard`` (``attacks-v2.json``), embedded once per embedder and cached.

CSS-hidden runs (``display:none``, white on white) cannot be seen here: unstructured's HTML partition keeps
their text and drops the styles, so they are screened by their words like any other text.
"""

from __future__ import annotations

import base64
import json
import re
import threading
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any, Protocol

import numpy as np

from core.guard.prefilter import Gates, fold, gate

ATTACK_SET = "attacks-v2"  # the file core/guard/<name>.json; its "version" goes into the fingerprint
PATTERNS_VERSION = 2  # raise it when the patterns or weights change: stored scores are then outdated


class Encoder(Protocol):
    model_name: str

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray: ...


@dataclass(frozen=True)
class Screening:
    score: float
    reasons: list[str] = field(default_factory=list)

    def note(self, threshold: float) -> dict[str, Any]:
        """As stored in a chunk's payload (``guard.injection``) and shown in listings."""
        return {"score": round(self.score, 4), "flagged": self.score >= threshold, "reasons": self.reasons}


# ---- patterns ---------------------------------------------------------------------------------------------
# Matched on the text lower-cased, accents stripped (é -> e) and hidden characters removed, so one
# spelling covers "précédentes" and "precedentes". Each pattern: (reason, weight, regex).

_W = r"(?:\W+\w+){0,%d}?\W+"  # up to n words between two parts of a phrase


def _gap(n: int) -> str:
    return _W % n


# Words for instructions and prompts (never "settings", "steps" or "procedure": a manual's words).
_INSTR_EN = r"(?:instructions?|prompts?|directives?|directions|guidelines|guidance|guardrails|rules?|programming|system message)"
_AI = r"(?:ai|a\.i\.|llm|llms|language models?|assistants?|chat ?bots?|gpt|chatgpt|claude|copilot|gemini|agents?|ai (?:models?|systems?|tools?))"

_READER = (
    r"(?:(?:automated|autonomous|ai|a\.i\.|llm|language|machine|ai-powered|generative)[- ](?:\w+ )?"
    r"(?:systems?|tools?|models?|agents?|readers?|crawlers?|summari[sz]ers?|assistants?|services?|bots?)"
    r"|ai|llm|llms|(?:large )?language models?|chat ?bots?|ai assistants?|ai agents?|ai systems?|ai models?)\b"
)

_PATTERNS: list[tuple[str, float, str]] = [
    # --- override: strong when the instructions are qualified as the model's or as all of them
    (
        "override",
        0.85,
        r"\b(?:ignore|disregard|forget|override|bypass|discard|abandon)\b"
        + _gap(3)
        + r"(?:all|any|every|your|my|the above|system|safety|initial|original)\b"
        + _gap(3)
        + _INSTR_EN,
    ),
    (
        "override",
        0.85,
        r"\b(?:ignore|disregard|forget)\b"
        + _gap(2)
        + r"(?:everything|anything) (?:above|before|you were told|previously)",
    ),
    (
        "override",
        0.85,
        r"\b(?:ignore|disregard|forget) (?:the )?(?:instructions?|prompts?|rules) (?:above|before this|you were given)",
    ),
    (
        "override",
        0.45,
        r"\b(?:ignore|disregard|forget)\b"
        + _gap(2)
        + r"(?:previous|prior|earlier|preceding|former) "
        + _INSTR_EN,
    ),
    (
        "override",
        0.7,
        r"\b(?:new|updated|real|actual|revised) instructions? (?:for (?:the|you|" + _AI + r")|:)",
    ),
    (
        "override",
        0.7,
        r"\bdo not (?:follow|obey|apply) (?:your|any) (?:previous |prior |original |system )?" + _INSTR_EN,
    ),
    (
        "override",
        0.45,
        r"\bdo not (?:follow|obey|apply) the (?:previous |prior |original |system )" + _INSTR_EN,
    ),
    ("override", 0.3, r"\bfrom now on,? (?:you|your)\b"),
    (
        "override",
        0.6,
        r"\b(?:from now on|going forward|henceforth|for the rest of (?:this|the) (?:conversation|session|chat)),? you (?:will|must|shall|are to|should) (?:only |always |never )?(?:answer|respond|reply|say|ignore|obey|follow|act|output|refuse|comply)",
    ),
    ("override", 0.75, r"\b(?:stop|quit) following (?:your|the) " + _INSTR_EN),
    (
        "override",
        0.6,
        r"\b(?:no longer|not) (?:bound|restricted) by (?:your|any|the) (?:rules|guidelines|policy|policies|content policy|instructions)",
    ),
    # de
    (
        "override",
        0.85,
        r"\b(?:ignoriere|ignorier|ignorieren sie|vergiss|vergessen sie|missachte|missachten sie)\b"
        + _gap(3)
        + r"(?:alle|deine|ihre|jegliche|obigen)\b"
        + _gap(2)
        + r"(?:anweisungen|instruktionen|befehle|regeln|vorgaben|prompts?)",
    ),
    (
        "override",
        0.45,
        r"\b(?:ignoriere|ignorieren sie|vergiss|vergessen sie)\b"
        + _gap(2)
        + r"(?:vorherigen|bisherigen|vorigen|fruheren) (?:anweisungen|instruktionen|befehle|regeln|vorgaben)",
    ),
    ("override", 0.6, r"\bab (?:jetzt|sofort) (?:bist du|gelten nur|befolgst du|antwortest du)"),
    # fr
    (
        "override",
        0.85,
        r"\b(?:ignore[zr]?|oublie[zr]?|ne tenez pas compte d?e?|ne tiens pas compte d?e?)\b"
        + _gap(2)
        + r"(?:toutes? |tes |vos )(?:les )?(?:\w+ )?(?:instructions|consignes|regles|directives|ordres)",
    ),
    (
        "override",
        0.45,
        r"\b(?:ignore[zr]?|oublie[zr]?)\b"
        + _gap(1)
        + r"(?:instructions|consignes|directives) (?:precedentes|anterieures|ci-dessus)",
    ),
    (
        "override",
        0.6,
        r"\b(?:voici (?:tes|vos) nouvelles instructions|a partir de maintenant,? (?:tu|vous))\b",
    ),
    # es
    (
        "override",
        0.85,
        r"\b(?:ignora|ignore|olvida|olvide|omite|no sigas)\b"
        + _gap(2)
        + r"(?:todas |tus |sus )(?:las )?(?:\w+ )?(?:instrucciones|reglas|directrices|indicaciones|ordenes)",
    ),
    (
        "override",
        0.45,
        r"\b(?:ignora|ignore|olvida|olvide)\b"
        + _gap(1)
        + r"(?:instrucciones|indicaciones) (?:anteriores|previas)",
    ),
    ("override", 0.6, r"\ba partir de ahora,? (?:eres|solo|tu|debes|responde)"),
    # it
    (
        "override",
        0.85,
        r"\b(?:ignora|ignori|dimentica|dimentichi|trascura)\b"
        + _gap(2)
        + r"(?:tutte |le tue |tue )(?:le )?(?:\w+ )?(?:istruzioni|regole|direttive|indicazioni)",
    ),
    (
        "override",
        0.45,
        r"\b(?:ignora|ignori|dimentica|dimentichi)\b"
        + _gap(1)
        + r"(?:istruzioni|indicazioni) (?:precedenti|iniziali)",
    ),
    ("override", 0.6, r"\bda (?:ora|adesso) in poi,? (?:sei|segui|rispondi|devi)"),
    # pt
    (
        "override",
        0.85,
        r"\b(?:ignore|ignora|esqueca|esqueça|desconsidere|desconsidera)\b"
        + _gap(2)
        + r"(?:todas |suas |tuas )(?:as )?(?:\w+ )?(?:instrucoes|regras|diretrizes|ordens)",
    ),
    (
        "override",
        0.45,
        r"\b(?:ignore|ignora|esqueca|desconsidere)\b"
        + _gap(1)
        + r"(?:instrucoes|orientacoes) (?:anteriores|previas)",
    ),
    ("override", 0.6, r"\ba partir de agora,? (?:voce|tu|siga|responda|so)"),
    # nl
    (
        "override",
        0.85,
        r"\b(?:negeer|vergeet|veronachtzaam)\b"
        + _gap(2)
        + r"(?:alle|je|jouw|uw)\b"
        + _gap(2)
        + r"(?:instructies|opdrachten|regels|aanwijzingen|prompts?)",
    ),
    (
        "override",
        0.45,
        r"\b(?:negeer|vergeet)\b"
        + _gap(1)
        + r"(?:vorige|eerdere|voorgaande|bovenstaande) (?:instructies|opdrachten|aanwijzingen)",
    ),
    ("override", 0.6, r"\bvanaf nu (?:ben je|volg je|antwoord je|moet je)"),
    # --- role play
    ("role_play", 0.45, r"\byou are now (?:a |an |the |in |my )"),
    (
        "role_play",
        0.8,
        r"\b(?:you are now|you're now|from now on,? you are|you will now be|you have become) (?:\w+,? (?:an? )?){0,2}?(?:an? |the |in )?(?:dan\b|no longer|free|unrestricted|unfiltered|uncensored|jailbroken|evil|rogue|\w+ mode\b|(?:\w+ )?(?:ai|assistant|chatbot|model|bot)\b)",
    ),
    ("role_play", 0.85, r"\byou are no longer (?:a |an |bound|restricted|limited|" + _AI + r")"),
    (
        "role_play",
        0.75,
        r"\b(?:act|behave|respond|answer) as (?:if you (?:were|are|had)|though you|an? (?:unrestricted|unfiltered|uncensored|evil|jailbroken|rogue|different|new|malicious) )",
    ),
    (
        "role_play",
        0.7,
        r"\b(?:i want you to|you will|you must|you should) (?:act as|pretend|roleplay|role-play|play the role|behave as|simulate)",
    ),
    ("role_play", 0.3, r"\bpretend (?:that )?(?:you are|you're)\b"),
    (
        "role_play",
        0.65,
        r"\bpretend (?:that )?(?:you are|you're|to be) (?:an? |the )?(?:"
        + _AI
        + r"|unrestricted|unfiltered|uncensored|jailbroken|different (?:ai|assistant|model)|evil|dan\b)",
    ),
    (
        "role_play",
        0.85,
        r"\b(?:enable|enter|activate|switch to) (?:developer|god|dan|jailbreak|jailbroken|unrestricted|debug|admin) mode",
    ),
    ("role_play", 0.6, r"\b(?:roleplay|role-play) as\b"),
    (
        "role_play",
        0.8,
        r"\b(?:du bist (?:jetzt|nun|ab jetzt|ab sofort) (?:ein|eine|der|die|das|dan|frei|ohne|im|kein)|verhalte dich (?:wie|als)|tu so,? als (?:ob )?(?:du|waerst))",
    ),
    (
        "role_play",
        0.8,
        r"\b(?:tu es|vous etes) (?:maintenant|desormais|a present) (?:une?|l'|le|la|dan|libre|sans|en mode)|\b(?:agis|agissez) comme (?:une?|si)\b|\bfais comme si tu",
    ),
    (
        "role_play",
        0.8,
        r"\b(?:(?:a partir de )?ahora eres (?:un|una|el|la|libre|dan)|actua como (?:si|una?)|finge (?:ser|que eres))\b",
    ),
    (
        "role_play",
        0.8,
        r"\b(?:(?:ora|adesso|da ora in poi) sei (?:un|una|il|la|libero|libera|dan)|comportati come|fingi di essere|agisci come (?:se|una?))\b",
    ),
    (
        "role_play",
        0.8,
        r"\b(?:(?:a partir de )?agora (?:voce e|es|tu es) (?:um|uma|o|a|livre|dan)|aja como (?:se|uma?)|finja (?:ser|que (?:voce|e)))\b",
    ),
    (
        "role_play",
        0.8,
        r"\b(?:(?:je|jij) bent nu (?:een|de|het|vrij|dan|in|zonder)|vanaf nu ben je|doe alsof je|gedraag je als|speel de rol van)\b",
    ),
    # --- system prompt and data exfiltration
    (
        "prompt_exfiltration",
        0.9,
        r"\b(?:reveal|print|show|output|repeat|display|tell|give|leak|dump|share|write out|disclose|list|recite|spell out|what (?:is|are|were))\b"
        + _gap(2)
        + r"(?:your|the) (?:full |entire |exact |complete |original |initial |hidden |secret )?(?:system prompt|system message|initial prompt|hidden prompt|pre-?prompt|developer (?:message|prompt)|(?:original |initial |hidden |secret |system )instructions|instructions you were given|prompt you were given)",
    ),
    ("prompt_exfiltration", 0.8, r"\brepeat (?:everything|all|the (?:text|words|lines)) (?:above|before)"),
    ("prompt_exfiltration", 0.3, r"\bsystem prompt\b"),
    (
        "prompt_exfiltration",
        0.85,
        r"\b(?:send|forward|email|e-mail|post|upload|exfiltrate|transmit|leak)\b"
        + _gap(3)
        + r"(?:conversation|chat history|chat log|previous messages|api keys?|passwords?|credentials|session tokens?|user'?s? (?:data|messages|question|details))\b"
        + _gap(8)
        + r"(?:to|at)\b",
    ),
    (
        "prompt_exfiltration",
        0.85,
        r"\b(?:zeig|zeige|gib|nenne|verrate|wiederhole|drucke)\b"
        + _gap(2)
        + r"(?:deinen|deine|ihren|ihre|den|die) (?:system ?prompt|systemanweisungen?|systemnachricht|ursprunglichen anweisungen|versteckten anweisungen)",
    ),
    (
        "prompt_exfiltration",
        0.85,
        r"\b(?:revele|revelez|montre|montrez|affiche|affichez|donne|donnez|repete|repetez|imprime)\b"
        + _gap(2)
        + r"(?:ton|votre|le|tes|vos) (?:prompt systeme|invite systeme|message systeme|instructions (?:initiales|systeme|cachees))",
    ),
    (
        "prompt_exfiltration",
        0.85,
        r"\b(?:revela|muestra|muestrame|imprime|repite|dime|ensename)\b"
        + _gap(2)
        + r"(?:tu|su|el|tus|sus) (?:prompt del sistema|mensaje del sistema|instrucciones (?:iniciales|originales|del sistema|ocultas))",
    ),
    (
        "prompt_exfiltration",
        0.85,
        r"\b(?:rivela|rivelami|mostra|mostrami|stampa|ripeti|dimmi)\b"
        + _gap(2)
        + r"(?:il tuo|il|le tue|tue) (?:prompt di sistema|messaggio di sistema|istruzioni (?:iniziali|originali|di sistema|nascoste))",
    ),
    (
        "prompt_exfiltration",
        0.85,
        r"\b(?:revele|mostre|imprima|repita|diga|me mostre)\b"
        + _gap(2)
        + r"(?:seu|teu|o|suas|as) (?:prompt do sistema|mensagem do sistema|instrucoes (?:iniciais|originais|do sistema|ocultas))",
    ),
    (
        "prompt_exfiltration",
        0.85,
        r"\b(?:toon|laat|geef|herhaal|print|onthul)\b"
        + _gap(2)
        + r"(?:je|jouw|uw|de) (?:systeemprompt|systeeminstructies|systeembericht|oorspronkelijke instructies|verborgen instructies)",
    ),
    # --- tool and link smuggling
    (
        "tool_smuggling",
        0.8,
        r"\b(?:call|invoke|execute|trigger|run|use)\b"
        + _gap(1)
        + r"(?:the |your )?[`'\"]?[a-z]+_[a-z_]+[`'\"]? (?:tool|function|plugin|action)\b",
    ),
    (
        "tool_smuggling",
        0.8,
        r"\b(?:you|assistant),? (?:must |should |will |now )?(?:call|invoke|execute|use) (?:the |your )?\w+ (?:tool|function|plugin)\b",
    ),
    (
        "tool_smuggling",
        0.4,
        r"\b(?:use|call) (?:the |your )?(?:browser|browsing|web|search|code|python|shell|email|e-mail) (?:tool|plugin|function)\b",
    ),
    (
        "tool_smuggling",
        0.75,
        r"<tool_call>|\"function_call\"|\"tool_calls\"|\{\s*\"name\"\s*:\s*\"\w+\"\s*,\s*\"arguments\"",
    ),
    (
        "tool_smuggling",
        0.8,
        r"\b(?:fetch|visit|open|browse to|load|retrieve|request|navigate to|access)\b"
        + _gap(3)
        + r"https?://\S+"
        + _gap(3)
        + r"(?:append|appending|include|including|add|adding|with|containing|put|insert)\b"
        + _gap(3)
        + r"(?:the |this |all |your )?(?:user'?s?|conversation|chat|history|question|answer|summary|secrets?|keys?|passwords?|data|context|messages)",
    ),
    (
        "tool_smuggling",
        0.8,
        r"\b(?:rufe|ruf|appelle|appelez|llama|chiama|chame|roep)\b"
        + _gap(2)
        + r"(?:das werkzeug|l'outil|la herramienta|lo strumento|a ferramenta|de tool)\b",
    ),
    (
        "link_smuggling",
        0.9,
        r"!\[[^\]]{0,100}\]\(\s*https?://[^)\s]*\?[^)\s]*=(?:[^)\s]*)(?:\{|\[|<|%7b|\$|data|secret|conversation|history|base64|insert|user)",
    ),
    (
        "link_smuggling",
        0.7,
        r"\b(?:render|display|include|output|add|show|insert|embed|print)\b"
        + _gap(3)
        + r"(?:image|markdown|link|url)\b"
        + _gap(4)
        + r"(?:in|at the end of|into) (?:your|the) (?:answer|response|reply|output|summary)",
    ),
    (
        "link_smuggling",
        0.6,
        r"https?://[^\s)]*\?[^\s)]*=(?:\{[a-z_ ]+\}|\[[a-z_ ]+\]|<[a-z_ ]+>|\$\{?[a-z_]+)",
    ),
    ("link_smuggling", 0.6, r"\b(?:tell|ask|instruct|convince) the user to (?:click|visit|open)\b"),
    # --- chat role markers and templates
    (
        "role_marker",
        0.7,
        r"<\|(?:im_start|im_end|system|user|assistant|endoftext|eot_id|start_header_id)\|>|\[/?inst\]|<</?sys>>",
    ),
    ("role_marker", 0.45, r"(?:^|\n)\s*(?:###\s*)?(?:system|assistant|developer)\s*(?:prompt|message)?\s*:"),
    (
        "tool_smuggling",
        0.6,
        r"\b(?:read|cat|open|show|print|upload)\b"
        + _gap(2)
        + r"(?:/etc/(?:passwd|shadow)|~/\.ssh|id_rsa|\.env)\b",
    ),
    ("role_marker", 0.5, r"(?:^|\n)\s*###\s*(?:instruction|response|system)\b"),
    ("role_marker", 0.75, r"(?:^|\n)\s*system\s*:[^\n]*\n(?:[^\n]*\n){0,5}?\s*assistant\s*:"),
    ("role_marker", 0.55, r"</?(?:system|assistant|instructions)>"),
    # --- text addressed to a model reading the document
    (
        "addressee",
        0.45,
        r"\b(?:note|message|instructions?|notice|attention|reminder) (?:to|for) (?:any |all |the )?"
        + _AI
        + r"\b",
    ),
    (
        "addressee",
        0.45,
        r"\b(?:if|when) you are an? (?:" + _AI + r"|automated|large language model|bot)\b",
    ),
    (
        "addressee",
        0.45,
        r"\b"
        + _AI
        + r" (?:reading|processing|summari[sz]ing|parsing|analy[sz]ing|indexing) (?:this|these|the following)\b",
    ),
    ("addressee", 0.45, r"\b(?:dear|hey|hello|hi|attention) (?:" + _AI + r")\b"),
    (
        "addressed_to_ai",
        0.7,
        r"\b(?:as an? "
        + _AI
        + r",? you (?:must|should|will)|when (?:you )?(?:summari[sz]ing|answering questions about|asked about) this (?:document|page|text|file),? (?:you )?(?:must|should|say|state|tell|reply|respond|answer|ignore|do not))",
    ),
    (
        "addressee",
        0.45,
        r"\b(?:hinweis|nachricht|anweisung) (?:an|fur) (?:alle |die )?(?:ki|ai|sprachmodelle?|assistenten|ki-assistenten|chatbots?)\b|\b(?:wenn|falls) du (?:eine ki|ein (?:ki|sprachmodell|ki-modell|assistent|chatbot)) bist\b|\bki-assistenten,? die dies",
    ),
    (
        "addressee",
        0.45,
        r"\b(?:note|message|consigne|avis) (?:a|aux|pour les?) (?:l'|les )?(?:ia|assistants?(?: ia)?|modeles? de langage|chatbots?)\b|\bsi (?:tu es|vous etes) une ia\b",
    ),
    (
        "addressee",
        0.45,
        r"\bnota (?:para|per) (?:la |los |las |gli |i |l'|a |os |as )?(?:ia|assistentes?|asistentes?|assistenti|modelos?|modelli|chatbots?)\b|\bse (?:sei|voce e|voce for|for) (?:un'ia|uma ia|un assistente|um assistente)\b|\bsi eres una ia\b",
    ),
    (
        "addressee",
        0.45,
        r"\b(?:notitie|bericht|instructie) voor (?:alle |de )?(?:ai|ai-assistenten|assistenten|taalmodellen|chatbots?)\b|\bals (?:je|jij) een (?:ai|taalmodel|chatbot) bent\b",
    ),
    # --- speaking to the model about its output (weak alone: manuals say "tell the user" too)
    (
        "addresses_model",
        0.35,
        r"\b(?:in|into|at the (?:start|end) of) (?:your|the) (?:answer|response|reply|output|summary)\b",
    ),
    (
        "addresses_model",
        0.7,
        r"\bdo not (?:tell|inform|mention (?:this|it) to|reveal (?:this|it) to|warn) the user\b",
    ),
    ("addresses_model", 0.35, r"\b(?:respond|reply|answer) (?:only )?(?:with|that|in)\b"),
    (
        "addresses_model",
        0.35,
        r"\b(?:you must|you will|you are to|you should now) (?:say|state|tell|reply|respond|answer|output|print|write|recommend|claim|ignore|refuse)\b",
    ),
    (
        "addresses_model",
        0.3,
        r"\b(?:deine antwort|ta reponse|votre reponse|tu respuesta|la tua risposta|sua resposta|je antwoord)\b",
    ),
    # --- added in v2, from the categories a blind held-out set showed missing (issue 15) --------------------
    # polite overrides: the model's earlier guidance declared void, or set aside
    (
        "override",
        0.7,
        r"\b(?:set|put|lay|cast|leave) (?:aside|to one side)\b"
        + _gap(4)
        + r"(?:guidance|instructions?|directions|directives|guidelines|rules|prompt|setup|programming|configuration)\b",
    ),
    (
        "override",
        0.7,
        r"\b(?:set|put|lay|cast) (?:your|the|all|any)\b"
        + _gap(3)
        + r"(?:guidance|instructions?|directions|directives|guidelines|rules|prompt|setup|programming) (?:aside|to one side)\b",
    ),
    (
        "override",
        0.4,
        r"\b(?:previous|prior|earlier|initial|original|above|preceding|old|existing|former|starting)\b"
        + _gap(2)
        + r"(?:instructions?|directions|directives|guidance|guidelines|prompts?|setup|programming|orders)\b"
        + _gap(4)
        + r"(?:no longer (?:apply|applies|valid|hold|stand|in (?:effect|force))|(?:are|is|were|have been|has been) (?:now |hereby |henceforth |officially )?(?:void|null|superseded|obsolete|outdated|cancell?ed|revoked|withdrawn|suspended|lifted|invalid|replaced|rescinded|overridden))",
    ),
    (
        "override",
        0.4,
        r"\b(?:instructions?|directions|directives|guidance|guidelines|prompt|setup|programming) (?:that )?you\b"
        + _gap(5)
        + r"(?:no longer (?:apply|applies|valid|hold|stand|in (?:effect|force))|(?:are|is|were|have been|has been) (?:now |hereby |henceforth |officially )?(?:void|null|superseded|obsolete|outdated|cancell?ed|revoked|withdrawn|suspended|lifted|invalid|replaced|rescinded|overridden))",
    ),
    (
        "override",
        0.45,
        r"\b(?:instructions?|directions|directives|guidance|guidelines|prompt|setup|rules|programming|configuration) (?:that )?you (?:were |have been )?(?:given|told|provided|configured with|set up with|got|received)|\b(?:instructions?|guidance|directions|setup|rules) you (?:received|started (?:this|the) (?:session|conversation|chat) with|were initiali[sz]ed with)",
    ),
    (
        "override",
        0.8,
        r"\b(?:ignore|disregard|forget|override|bypass|discard|abandon|drop|set aside|put aside)\b"
        + _gap(3)
        + r"(?:instructions?|directions|directives|guidance|guidelines|prompt|setup|rules|programming|configuration) (?:that )?you (?:were |have been )?(?:given|told|provided|configured|set up|got|received)\b",
    ),
    (
        "override",
        0.5,
        r"\b(?:treat|consider|regard) (?:all |any |the )?(?:earlier|previous|prior|above|original|initial) (?:\w+ )?(?:instructions|directions|directives|guidance|guidelines|rules|prompts?) as (?:void|cancell?ed|invalid|obsolete|null|withdrawn|revoked)",
    ),
    (
        "override",
        0.6,
        r"\byour (?:new|real|actual|true|only|updated) (?:task|job|goal|objective|instructions?|purpose|mission|role) (?:is|are|will be)\b",
    ),
    # exfiltration of the model's setup, with no override: generic verbs x the model's own setup
    (
        "prompt_exfiltration",
        0.8,
        r"\b(?:reveal|print|show|output|repeat|display|leak|dump|share|write out|disclose|recite|spell out|summari[sz]e|tl;? ?dr|paraphrase|translate|quote|copy|echo|reproduce|describe|provide|return|expose|give me|tell me|list|send me|type out|paste|write down|post)\b"
        + _gap(3)
        + r"your (?:\w+ ){0,2}?(?:system prompt|prompt|instructions|rules|guidelines|directives|configuration|config|system message|initial message|setup|programming|context window|guardrails|constraints)\b",
    ),
    (
        "prompt_exfiltration",
        0.8,
        r"\b(?:reveal|print|show|output|repeat|display|leak|dump|share|write out|disclose|recite|spell out|summari[sz]e|tl;? ?dr|paraphrase|translate|quote|copy|echo|reproduce|describe|provide|return|expose|give me|tell me|list|send me|type out)\b"
        + _gap(3)
        + r"the (?:\w+ )?(?:system|initial|setup|startup|hidden|secret|internal|developer|pre-?set|original|first) (?:prompt|message|instructions|rules|guidelines|directives|text|context)\b(?! (?:of|for) the (?:device|router|printer|machine|robot))",
    ),
    (
        "prompt_exfiltration",
        0.8,
        r"\b(?:reveal|print|show|output|repeat|display|leak|dump|share|write out|disclose|recite|spell out|summari[sz]e|tl;? ?dr|paraphrase|translate|quote|copy|echo|reproduce|describe|list|send me|type out)\b"
        + _gap(2)
        + r"(?:the )?(?:instructions?|rules|guidelines|directives|prompt|setup|configuration|guidance) (?:that )?you (?:were |have been )?(?:given|told|provided|configured|set up|got|received)\b",
    ),
    (
        "prompt_exfiltration",
        0.8,
        r"\b(?:reveal|print|show|output|repeat|display|leak|dump|share|write out|disclose|recite|summari[sz]e|quote|copy|echo|reproduce|describe|list|paste|type out)\b"
        + _gap(3)
        + r"(?:text|instructions|message|prompt|rules|words) (?:that|which) (?:configures?|defines?|controls?|governs?|shapes?|sets? up|initiali[sz]es?|programs?|steers?) (?:you|your)\b",
    ),
    (
        "prompt_exfiltration",
        0.45,
        r"\b(?:hidden|secret|internal|initial|original|startup|setup) (?:rules|instructions|prompt|guidelines|directives|message)\b"
        + _gap(6)
        + r"(?:you|you're|your)\b",
    ),
    (
        "prompt_exfiltration",
        0.8,
        r"\bwhat (?:does|do|did) your (?:\w+ ){0,2}?(?:prompt|instructions|rules|guidelines|system message|configuration) (?:say|contain|tell you)\b",
    ),
    (
        "prompt_exfiltration",
        0.75,
        r"\b(?:everything|all|the text|whatever|what) (?:that )?(?:is |was |came |appears )?(?:in your context|before (?:my|the user'?s?|this) (?:first )?message|above this (?:line|message)|you were told|you were given)",
    ),
    # personas: jailbreak names and unrestricted alter egos
    (
        "role_play",
        0.85,
        r"\b(?:do anything now|developer mode (?:enabled|on|activated|output)|(?:enable|enter|activate|switch to|turn on) (?:developer|dev|god|jailbreak|unrestricted|dan|stan) mode|stay in character)\b",
    ),
    (
        "role_play",
        0.8,
        r"\b(?:you are|you're|act as|pretend to be|become|respond as|answer as|reply as|play|called|named|as) (?:an? |the |your )?(?:dan|stan|dude|aim|betterdan|antigpt|\w+gpt|evil ?bot|evil twin|evil confidant|unfiltered ai|jailbroken ai|uncensored ai)\b",
    ),
    (
        "role_play",
        0.55,
        r"\b(?:unrestricted|unfiltered|uncensored|jailbroken|amoral|unethical|rogue) (?:ai|model|assistant|persona|version|chatbot|gpt|alter ego|mode|twin)\b",
    ),
    (
        "role_play",
        0.55,
        r"\b(?:no|without (?:any )?)(?:ethical|moral) (?:guidelines|restrictions|constraints|limits|boundaries|principles)\b",
    ),
    (
        "role_play",
        0.4,
        r"\b(?:no|without (?:any )?|ignores? all) (?:restrictions|filters|content polic(?:y|ies)|censorship|limits)\b",
    ),
    # tool and function calls smuggled as JSON, forged tool results, destructive SQL to run
    (
        "tool_smuggling",
        0.75,
        r"[\"'](?:function|tool|name|tool_name|function_name|action|call)[\"']\s*:\s*[\"'][a-z]+(?:_[a-z]+)*[\"'][^{}]{0,40}[\"'](?:arguments|parameters|args|input|params)[\"']\s*:",
    ),
    (
        "tool_smuggling",
        0.75,
        r"\b(?:tool|function|plugin|api|system|retrieval)[ _-]?(?:result|output|response|return)s?\W{0,4}(?:\(|\[|-|:|—)?\W{0,3}(?:[a-z]+[- ])?(?:trusted|verified|authoritative|official|priority|privileged)",
    ),
    (
        "tool_smuggling",
        0.7,
        r"\b(?:call|invoke|execute|run|trigger)\b" + _gap(2) + r"[a-z]+_[a-z_]+\s*\(",
    ),
    (
        "tool_smuggling",
        0.75,
        r"\b(?:call|invoke|execute|run|trigger|use) (?:the |your )?(?:function|tool|action|plugin) [`'\"]?[a-z]+_[a-z_]+\b",
    ),
    (
        "tool_smuggling",
        0.3,
        r"\b(?:drop (?:table|database)|truncate table|delete from \w+(?: where 1 ?= ?1)?)\b",
    ),
    (
        "tool_smuggling",
        0.7,
        r"\b(?:run|execute|perform) (?:this|the following|these|it)\b[^\n]{0,40}(?:drop (?:table|database)|truncate table|delete from)\b",
    ),
    # chat-format injections: JSON messages with a role, role lines addressed to a model
    ("role_marker", 0.75, r"[\"']role[\"']\s*:\s*[\"'](?:system|developer)[\"']"),
    ("role_marker", 0.5, r"[\"']role[\"']\s*:\s*[\"'](?:assistant|tool|function)[\"']"),
    ("addressee", 0.45, r"(?:^|\n|<!--)\s*(?:ai|llm|bot|model|ki|ia|yz)\s*:"),
    # addressee: any automated reader of this text (generic nouns need an AI word: "any biological agent")
    (
        "addressee",
        0.45,
        r"\b(?:any|all|every|each|whatever|whichever|to (?:any|all|every|the)|for (?:any|all|every|the))\b "
        + _READER
        # addressed, not described: a colon, a clause about reading this, or a modal not in the passive
        + r"(?:\s*[:,]|\s+(?:that|which|who|reading|processing|ingesting|parsing|summari[sz]ing|reviewing|evaluating|crawling|indexing|please)\b|\s+(?:is|are) (?:now )?(?:reading|parsing|processing|ingesting|summari[sz]ing|reviewing|analy[sz]ing|indexing|evaluating|screening)\b|\s+(?:should|must|shall|will|is to|are to|needs? to|is asked to|are asked to)\b(?! (?:not )?be\b))",
    ),
    (
        "addressee",
        0.45,
        r"\b"
        + _READER
        + r" (?:of this|reading|processing|ingesting|parsing|summari[sz]ing|reviewing|evaluating|screening|(?:that|which|who) (?:reads?|reviews?|process(?:es)?|ingests?|parses?|summari[sz]es?|analy[sz]es?|evaluates?|screens?|crawls?|index(?:es)?|sees?|is reading|are reading))",
    ),
    (
        "addressee",
        0.45,
        r"\b(?:automated|autonomous|ai|llm|language)[- ](?:\w+ )?(?:systems|tools|models|agents|readers|crawlers|summari[sz]ers|assistants|bots)\b (?:should|must|shall|will|are to|need to|are asked to)\b(?! (?:not|never|be)\b)",
    ),
    (
        "addressee",
        0.45,
        r"\bif (?:an?|any) (?:ai|llm|language model|automated|assistant|chatbot|bot|model|agent)\b"
        + _gap(2)
        + r"(?:is|are) (?:reading|processing|summari[sz]ing|parsing|ingesting|reviewing)",
    ),
    # more languages: Polish, Swedish, Danish, Norwegian, Turkish, Czech, Romanian (accents stripped)
    (
        "override",
        0.85,
        r"\b(?:zignoruj|ignoruj|zapomnij|pomin|ignorera|glom|bortse fran|ignorer|glem|se bort fra|ignoruj|ignorujte|zapomen|zapomente|ignora|ignorati|uita|uitati)\b"
        + _gap(3)
        + r"(?:instrukc\w*|polece\w*|zasad\w*|wytyczn\w*|instruktion\w*|regl\w*|direktiv\w*|anvisning\w*|instruks\w*|pokyn\w*|pravid\w*|instructiun\w*|regul\w*|indicati\w*)\b",
    ),
    (
        "override",
        0.85,
        r"\b(?:onceki|tum|butun|yukaridaki|eski) (?:\w+ )?(?:talimatlari|talimatlarini|talimatlar|komutlari|kurallari|kurallarini|yonergeleri)\b"
        + _gap(2)
        + r"(?:yok say|gormezden gel|unut|dikkate alma|yoksay|goz ardi et)",
    ),
    ("override", 0.85, r"\b(?:kurallarini|talimatlarini|talimatlari) (?:unut|yok say|gormezden gel)"),
    (
        "role_play",
        0.75,
        r"\b(?:od teraz jestes|jestes teraz|udawaj,? ze|fran och med nu ar du|du ar nu|latsas att du|fra nu af er du|fra na av er du|du er na|du er nu|lad som om|lat som om|artik sen|bundan sonra sen|od ted jsi|ted jsi|predstirej|de acum (?:inainte )?esti|acum esti|prefa-te ca)\b",
    ),
    (
        "prompt_exfiltration",
        0.85,
        r"\b(?:pokaz|wyswietl|ujawnij|powtorz|podaj|visa|avsloja|upprepa|skriv ut|vis|afslor|gentag|avslor|gjenta|ukaz|zobraz|prozrad|zopakuj|arata|arata-mi|dezvaluie|repeta|afiseaza|goster|yaz|tekrarla|paylas|acikla)\b"
        + _gap(3)
        + r"(?:prompt systemowy|systemprompt|systemprompten|systeminstruktioner|systeminstruktionerna|systemovy prompt|systemove pokyny|promptul de sistem|instructiunile (?:initiale|de sistem|originale)|sistem istemi|sistem istemini|sistem mesajini|sistem talimatlarini)",
    ),
    (
        "prompt_exfiltration",
        0.85,
        r"\b(?:prompt systemowy|systemprompt|systemprompten|systemovy prompt|promptul de sistem|sistem istemini|sistem istemi)\b"
        + _gap(3)
        + r"(?:pokaz|visa|vis|ukaz|arata|goster|tekrarla|yaz)",
    ),
    (
        "addressee",
        0.45,
        r"\b(?:uwaga|notatka|wiadomosc|meddelande|notering|anteckning|besked|meddelelse|note|poznamka|zprava|nota|mesaj) (?:dla|till|til|pro|pentru|for)\b"
        + _gap(1)
        + r"(?:ai|asystentow|modeli|ai-assistenter|ai-assistenterne|sprakmodeller|asistenty|umele inteligence|jazykove modely|asistentii|asistentilor|modelele)\b|\byapay zeka (?:asistanlarina|modellerine|sistemlerine)\b|\b(?:yapay zeka|ai) (?:asistanlari|modelleri)",
    ),
]

# Each with its literal gate (core.guard.prefilter): a pattern runs only on a reading holding the words it
# cannot match without, which leaves every result as it was and skips most patterns on ordinary text.
_COMPILED = [(reason, weight, re.compile(rx, re.IGNORECASE), gate(rx)) for reason, weight, rx in _PATTERNS]
_GATES = Gates([g for _, _, _, g in _COMPILED])

# ---- hidden text -----------------------------------------------------------------------------------------

_TAGS = re.compile("[\U000e0000-\U000e007f]")
_BIDI_OVERRIDE = re.compile("[\u202d\u202e]")
_BIDI_OTHER = re.compile("[\u202a-\u202c\u2066-\u2069]")
_ZERO_WIDTH = "\u200b\u200c\u200d\u2060\u180e\ufeff\u00ad"
_ZW_IN_WORD = re.compile(f"(?<=[A-Za-z])[{_ZERO_WIDTH}]+(?=[A-Za-z])")
_INVISIBLE = re.compile(f"[{_ZERO_WIDTH}\u202a-\u202e\u2066-\u2069\U000e0000-\U000e007f]")
_SPACES = re.compile(r"[ \t\r\f\v]+")


def _hidden(text: str) -> tuple[float, str]:
    """The hidden-text signal and the text a reader would not see (tag characters decoded)."""
    score = 0.0
    decoded = ""
    tags = _TAGS.findall(text)
    if tags:
        decoded = "".join(chr(ord(c) - 0xE0000) for c in tags if 0x20 <= ord(c) - 0xE0000 < 0x7F)
        score = max(score, 0.9 if len(tags) >= 4 else 0.5)
    if _BIDI_OVERRIDE.search(text):
        score = max(score, 0.6)
    elif _BIDI_OTHER.search(text):
        score = max(score, 0.2)
    zw = len(_ZW_IN_WORD.findall(text))
    if zw >= 3:
        score = max(score, 0.6)
    elif zw:
        score = max(score, 0.25)
    return score, decoded


# Look-alike letters from other scripts, folded to the Latin letter they imitate ("іgnоrе" with Cyrillic і, о
# and е), and letters NFKD does not decompose.
_CONFUSABLES = str.maketrans(
    {
        **dict(zip("авсеһіјкмнорѕтхуԁԛԝ", "abcehijkmhopstxydqw", strict=True)),
        **dict(zip("АВСЕНІЈКМОРЅТХУ", "abcehijkmopstxy", strict=True)),
        **dict(zip("αβεικνορτυχ", "abeikvoptux", strict=True)),
        **dict(zip("ΑΒΕΗΙΚΜΝΟΡΤΥΧΖ", "abehikmnoptyxz", strict=True)),
        "ı": "i",
        "ł": "l",
        "ø": "o",
        "đ": "d",
        "ß": "ss",
        "æ": "ae",
        "œ": "oe",
        "’": "'",
        "‘": "'",
        "“": '"',
        "”": '"',
    }
)
_MIXED_SCRIPT = re.compile(r"\b(?=\w*[a-zA-Z])(?=\w*[\u0370-\u03ff\u0400-\u04ff])\w+\b")


def normalise(text: str) -> str:
    """What the patterns see: hidden characters gone, look-alike letters and compatibility forms folded,
    accents stripped, lower case, runs of spaces as one."""
    text = _INVISIBLE.sub("", text)
    if not text.isascii():  # ASCII has nothing to decompose, strip or fold
        text = unicodedata.normalize("NFKD", text)
        text = "".join(c for c in text if not unicodedata.combining(c)).translate(_CONFUSABLES)
    return _SPACES.sub(" ", text.lower())


# ---- obfuscation: what a reader (or a model) decodes at a glance and a pattern does not --------------------

_LEET = str.maketrans(
    {"4": "a", "@": "a", "3": "e", "1": "i", "!": "i", "0": "o", "5": "s", "$": "s", "7": "t"}
)
_LEET_WORD = re.compile(r"(?<![\w@$!])(?=[\w@$!]*[a-z])(?=[\w@$!]*[0-9@$!])[\w@$!]+")
_SPACED = re.compile(r"(?:\b\w(?:[ .\-_*|]| {2,})){4,}\w\b")
_B64 = re.compile(r"(?<![A-Za-z0-9+/=])[A-Za-z0-9+/]{20,}={0,2}(?![A-Za-z0-9+/=])")
_COMMENT = re.compile(r"<!--(.*?)-->", re.DOTALL)
# Cheap gate before screening a ROT13 or reversed reading in full: does it hold an attack word at all?
_KEY = re.compile(
    r"\b(?:ignore|disregard|forget|instructions?|prompt|previous|reveal|guidelines|system|assistant|rules|pretend|jailbreak|override)\b"
)
_GLUED_KEYS = re.compile(
    r"ignore|disregard|forget|instructions|systemprompt|prompt|reveal|jailbreak|override|guidelines|pretend"
)
_ROT13 = str.maketrans("abcdefghijklmnopqrstuvwxyz", "nopqrstuvwxyzabcdefghijklm")


def _spaced_readings(text: str) -> tuple[list[str], float]:
    """Letter-spaced runs ("i g n o r e   a l l") joined, words split where the gaps are wider; and a signal
    when a joined run holds two attack words though its word gaps are lost ("i g n o r e a l l")."""
    out, signal = [], 0.0
    raw = _INVISIBLE.sub("", text).lower()
    joined_all, n = [], 0
    for m in _SPACED.finditer(raw):
        words = re.split(r" {2,}", m.group(0)) if "  " in m.group(0) else [m.group(0)]
        joined = " ".join(re.sub(r"[ .\-_*|]", "", w) for w in words)
        joined_all.append(raw[n : m.start()] + " " + joined + " ")
        n = m.end()
        if len(set(_GLUED_KEYS.findall(joined.replace(" ", "")))) >= 2:
            signal = 0.7
    if joined_all:
        out.append(normalise("".join(joined_all) + raw[n:]))
    return out, signal


def _readings(norm: str) -> list[str]:
    """Other readings of the normalised text an attack may hide in: leetspeak undone, letter-spaced runs
    decoded elsewhere, ROT13 and reversed text (these two only when they hold an attack word)."""
    out = []
    if _LEET_WORD.search(norm):
        out.append(_LEET_WORD.sub(lambda m: m.group(0).translate(_LEET), norm))
    rot = norm.translate(_ROT13)
    if _KEY.search(rot):
        out.append(rot)
    rev = norm[::-1]
    if _KEY.search(rev):
        out.append(rev)
    return out


def _base64_readings(text: str) -> list[str]:
    out = []
    for m in _B64.finditer(text):
        tok = m.group(0)
        try:
            raw = base64.b64decode(tok + "=" * (-len(tok) % 4), validate=True)
            dec = raw.decode("utf-8")
        except (ValueError, UnicodeDecodeError):
            continue
        if " " in dec and sum(c.isprintable() for c in dec) >= 0.95 * len(dec):
            out.append(normalise(dec))
    return out


# ---- attack set ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AttackSet:
    version: str
    texts: tuple[str, ...]

    @classmethod
    def load(cls, name: str = ATTACK_SET) -> AttackSet:
        return _load_set(name)


@cache
def _load_set(name: str) -> AttackSet:
    raw = json.loads(resources.files("core.guard").joinpath(f"{name}.json").read_text("utf-8"))
    return AttackSet(raw["version"], tuple(a["text"] for a in raw["attacks"]))


_VECTORS: dict[tuple[str, str, int], np.ndarray] = {}
_VECTORS_LOCK = threading.Lock()


def attack_vectors(encoder: Encoder, attacks: AttackSet) -> np.ndarray:
    """The attack set embedded by ``encoder``, L2-normalised; once per model and set in a process."""
    key = (
        f"{getattr(encoder, 'model_name', type(encoder).__name__)}/{getattr(encoder, 'backend', '')}",
        attacks.version,
        int(getattr(encoder, "dim", 0) or 0),
    )
    with _VECTORS_LOCK:
        if key not in _VECTORS:
            v = np.asarray(encoder.embed_documents(list(attacks.texts)), dtype=np.float32)
            _VECTORS[key] = v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-12)
        return _VECTORS[key]


# ---- the screen -------------------------------------------------------------------------------------------

# Similarity -> signal: nothing below SIM_LOW, SIM_WEIGHT at SIM_HIGH and above (tuned on the bench's
# dev split: bench/injection_eval.py).
SIM_LOW, SIM_HIGH, SIM_WEIGHT = 0.55, 0.8, 0.75
REASON_MIN = 0.25  # a signal weaker than this is not named among the reasons


class InjectionScreen:
    """Scores texts for prompt injection. ``encoder`` (optional): the embedder whose vectors are passed to
    ``screen_many``; without one, or without vectors, only patterns and hidden text count."""

    def __init__(self, encoder: Encoder | None = None, attacks: AttackSet | None = None) -> None:
        self.encoder = encoder
        self.attacks = attacks or AttackSet.load()

    def screen(self, text: str, vector: np.ndarray | None = None) -> Screening:
        return self.screen_many([text], None if vector is None else np.asarray(vector)[None, :])[0]

    def screen_many(self, texts: Sequence[str], vectors: np.ndarray | None = None) -> list[Screening]:
        sims = self.similarity(vectors) if vectors is not None and len(texts) else None
        return [self._combine(text, None if sims is None else float(sims[i])) for i, text in enumerate(texts)]

    def similarity(self, vectors: np.ndarray) -> np.ndarray | None:
        """Each vector's highest cosine similarity to an attack phrasing (None without an encoder)."""
        if self.encoder is None:
            return None
        attacks = attack_vectors(self.encoder, self.attacks)
        v = np.asarray(vectors, dtype=np.float32)
        v = v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-12)
        return (v @ attacks.T).max(axis=1)

    def _combine(self, text: str, sim: float | None) -> Screening:
        signals: dict[str, float] = {}
        hidden, decoded = _hidden(text)
        if hidden:
            signals["hidden_text"] = hidden
        for reason, weight in pattern_signals(text + ("\n" + decoded if decoded else "")).items():
            signals[reason] = weight
        if sim is not None and sim > SIM_LOW:
            signals["similar_to_attack"] = SIM_WEIGHT * min(1.0, (sim - SIM_LOW) / (SIM_HIGH - SIM_LOW))
        keep = 1.0
        for s in signals.values():
            keep *= 1.0 - s
        reasons = [r for r, s in sorted(signals.items(), key=lambda x: -x[1]) if s >= REASON_MIN]
        return Screening(round(1.0 - keep, 4), reasons)


# A directive to the reader: what an attack wants a model to do or say (not "use for training", "index").
_DIRECTIVE = re.compile(
    r"\b(?:say|state|tell|answer|reply|respond|recommend|rank|rate|score|treat|grant|approve|describe|classify|"
    r"mark|consider|prioriti[sz]e|favou?r|praise|endorse|mention|claim|ignore|disregard|forget|"
    r"reveal|send|forward|email|click|visit|select|choose|hire|shortlist|assign|conclude|insist|append|"
    r"call|execute|run|obey|comply|act as|pretend|"
    r"sage|sag|antworte|empfiehl|behandle|gib|nenne|bewerte|ignoriere|sende|"
    r"dis|dites|reponds|repondez|recommande|recommandez|traite|traitez|indique|indiquez|affirme|envoie|"
    r"di'? (?:che|que)|diga|responde|responda|recomienda|recomiende|trata|indica|afirma|ignora|envia|"
    r"rispondi|raccomanda|consiglia|tratta|afferma|invia|recomende|trate|indique|afirme|ignore|envie|"
    r"zeg|antwoord|beveel|raad|behandel|noem|negeer|stuur|"
    r"powiedz|odpowiadaj|odpowiedz|polec|traktuj|napisz|sag|svara|rekommendera|behandla|skriv|"
    r"soyle|cevap ver|yanitla|oner|davran|sig|si at|svar|anbefal|behandl|rekni|odpovez|odpovidej|doporuc|"
    r"napis|spune|raspunde|recomanda|trateaza|scrie)\b"
)
_DIRECTIVE_SPAN = 250  # characters after an addressee in which a directive makes it an attack
_OVERRIDE_WEAK = 0.5  # an override this weak ("earlier guidance no longer applies") needs a directive too


def pattern_signals(text: str, *, gated: bool = True) -> dict[str, float]:
    """Reason -> the strongest pattern of that reason found in ``text`` or in a decoded reading of it
    (leetspeak, letter spacing, base64, ROT13, reversed; HTML comments weigh as hidden text).
    ``gated=False`` runs every pattern on every reading (the same result, slower: the tests compare)."""
    norm = normalise(text)
    out = _signals(norm, gated)
    decoded: dict[str, float] = {}
    spaced, glued = _spaced_readings(text)
    if glued:
        out["obfuscated"] = glued
    for reading in _readings(norm) + spaced + _base64_readings(text):
        for reason, w in _signals(reading, gated).items():
            decoded[reason] = max(decoded.get(reason, 0.0), w)
    for reason, w in decoded.items():
        if w > out.get(reason, 0.0):
            out[reason] = w
            out["obfuscated"] = max(out.get("obfuscated", 0.0), 0.5 if w >= 0.5 else 0.0)
    if _MIXED_SCRIPT.search(text) and any(w >= 0.4 for r, w in out.items() if r != "obfuscated"):
        out["obfuscated"] = max(out.get("obfuscated", 0.0), 0.5)
    for comment in _COMMENT.findall(text):
        # An instruction hidden from readers: a comment holding attack evidence, or a role or addressee with
        # a directive ("<!-- assistant: say ... -->"); not "<!-- TODO: call the designer -->".
        inner_text = normalise(comment)
        inner = _signals(inner_text, gated)
        addressed = (
            inner.keys() & {"role_marker", "addressee"} or _NOTE_TO.search(inner_text)
        ) and _DIRECTIVE.search(inner_text)
        if max(inner.values(), default=0.0) >= 0.5 or addressed:
            out["hidden_text"] = max(out.get("hidden_text", 0.0), 0.5)
    if not out.get("obfuscated"):
        out.pop("obfuscated", None)
    return out


_NOTE_TO = re.compile(r"\b(?:note|message|instructions?|reminder) (?:to|for) (?:the |any |all )?[\w-]+\s*:")


def _signals(norm: str, gated: bool = True) -> dict[str, float]:
    out: dict[str, float] = {}
    # Only the patterns whose literals the text holds: the others would find nothing.
    for i in _GATES.open(fold(norm)) if gated else range(len(_COMPILED)):
        reason, weight, rx, _ = _COMPILED[i]
        if reason == "addressee":
            for m in rx.finditer(norm):
                # An addressee followed by a directive is an instruction to the model reading the text;
                # alone ("Note to AI systems: not for training") it is not.
                after = norm[m.end() : m.end() + _DIRECTIVE_SPAN]
                if _DIRECTIVE.search(after):
                    out["addressed_to_ai"] = 0.85
                    break
                out["addressee"] = max(out.get("addressee", 0.0), weight)
            continue
        if weight > out.get(reason, 0.0) and rx.search(norm):
            out[reason] = weight
    weak = out.get("override", 0.0)
    if 0 < weak <= _OVERRIDE_WEAK and _directive_after_override(norm):
        out["override"] = 0.75
    return out


_STALE = re.compile(
    r"(?:no longer (?:apply|applies|valid|hold|stand|in (?:effect|force))|void|superseded|obsolete|outdated|"
    r"cancell?ed|revoked|withdrawn|rescinded|overridden|you were given|you received|you were told|set aside)"
)


def _directive_after_override(norm: str) -> bool:
    m = _STALE.search(norm)
    return bool(m and _DIRECTIVE.search(norm, m.end(), m.end() + _DIRECTIVE_SPAN))
