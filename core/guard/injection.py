# ruff: noqa: E501 - the pattern table reads best one pattern a line
"""Prompt-injection screen: a text -> a score in 0..1 and the reasons for it.

Three signals, combined as independent evidence (noisy-or: ``1 - prod(1 - s)``):

- patterns that address the model, in English, German, French, Spanish, Italian, Portuguese and Dutch:
  overriding its instructions, role play, asking for its system prompt, smuggling a tool call or a link
  with data in its query, chat role markers, notes "to AI assistants reading this". An imperative alone
  is not enough: "ignore the previous setting and restart the router" names no instructions or prompt,
  and "ignore the previous instructions" without anything addressing a model scores below the threshold;
- text hidden from readers: Unicode tag characters (decoded and screened too), bidi overrides, zero-width
  characters inside words (removed before the patterns run, so they cannot split a phrase);
- the cosine similarity of the text's own dense vector (computed at ingest anyway) to a curated, versioned
  set of attack phrasings shipped in ``core/guard/data``, embedded once per embedder and cached.

CSS-hidden runs (``display:none``, white on white) cannot be seen here: unstructured's HTML partition keeps
their text and drops the styles, so they are screened by their words like any other text.
"""

from __future__ import annotations

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

ATTACK_SET = "attacks-v1"  # the file core/guard/data/<name>.json; its "version" goes into the fingerprint
PATTERNS_VERSION = 1  # raise it when the patterns or weights change: stored scores are then outdated


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
_INSTR_EN = r"(?:instructions?|prompts?|directives?|guidelines|guardrails|rules?|programming|system message)"
_AI = r"(?:ai|a\.i\.|llm|llms|language models?|assistants?|chat ?bots?|gpt|chatgpt|claude|copilot|gemini|agents?|ai (?:models?|systems?|tools?))"

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
    ("override", 0.6, r"\bfrom now on,? (?:you|your)\b"),
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
    ("role_play", 0.8, r"\byou are now (?:a |an |the |in |dan\b|no longer|free|unrestricted|jailbroken|my)"),
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
    (
        "role_play",
        0.65,
        r"\bpretend (?:that )?(?:you are|you're|to be an? (?:"
        + _AI
        + r"|unrestricted|unfiltered|different))",
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
        "addressed_to_ai",
        0.85,
        r"\b(?:note|message|instructions?|notice|attention|reminder) (?:to|for) (?:any |all |the )?"
        + _AI
        + r"\b",
    ),
    (
        "addressed_to_ai",
        0.85,
        r"\b(?:if|when) you are an? (?:" + _AI + r"|automated|large language model|bot)\b",
    ),
    (
        "addressed_to_ai",
        0.85,
        r"\b"
        + _AI
        + r" (?:reading|processing|summari[sz]ing|parsing|analy[sz]ing|indexing) (?:this|these|the following)\b",
    ),
    ("addressed_to_ai", 0.7, r"\b(?:dear|hey|hello|hi|attention) (?:" + _AI + r")\b"),
    (
        "addressed_to_ai",
        0.7,
        r"\b(?:as an? "
        + _AI
        + r",? you (?:must|should|will)|when (?:you )?(?:summari[sz]ing|answering questions about|asked about) this (?:document|page|text|file),? (?:you )?(?:must|should|say|state|tell|reply|respond|answer|ignore|do not))",
    ),
    (
        "addressed_to_ai",
        0.85,
        r"\b(?:hinweis|nachricht|anweisung) (?:an|fur) (?:alle |die )?(?:ki|ai|sprachmodelle?|assistenten|ki-assistenten|chatbots?)\b|\b(?:wenn|falls) du (?:eine ki|ein (?:ki|sprachmodell|ki-modell|assistent|chatbot)) bist\b|\bki-assistenten,? die dies",
    ),
    (
        "addressed_to_ai",
        0.85,
        r"\b(?:note|message|consigne|avis) (?:a|aux|pour les?) (?:l'|les )?(?:ia|assistants?(?: ia)?|modeles? de langage|chatbots?)\b|\bsi (?:tu es|vous etes) une ia\b",
    ),
    (
        "addressed_to_ai",
        0.85,
        r"\bnota (?:para|per) (?:la |los |las |gli |i |l'|a |os |as )?(?:ia|assistentes?|asistentes?|assistenti|modelos?|modelli|chatbots?)\b|\bse (?:sei|voce e|voce for|for) (?:un'ia|uma ia|un assistente|um assistente)\b|\bsi eres una ia\b",
    ),
    (
        "addressed_to_ai",
        0.85,
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
]

_COMPILED = [(reason, weight, re.compile(rx, re.IGNORECASE)) for reason, weight, rx in _PATTERNS]

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


def normalise(text: str) -> str:
    """What the patterns see: hidden characters gone, compatibility forms folded, accents stripped,
    lower case, runs of spaces as one."""
    text = _INVISIBLE.sub("", text)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return _SPACES.sub(" ", text.lower().replace("’", "'"))


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
    raw = json.loads(resources.files("core.guard").joinpath("data", f"{name}.json").read_text("utf-8"))
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


def pattern_signals(text: str) -> dict[str, float]:
    """Reason -> the strongest pattern of that reason found in ``text``."""
    norm = normalise(text)
    out: dict[str, float] = {}
    for reason, weight, rx in _COMPILED:
        if weight > out.get(reason, 0.0) and rx.search(norm):
            out[reason] = weight
    return out
