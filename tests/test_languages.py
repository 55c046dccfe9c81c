"""Languages: every chunk analysed by its own language's stemmer and stopwords, tagged with the language and
filterable by it; questions analysed in theirs (issue 17)."""

from __future__ import annotations

import functools
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from rapidfuzz.distance import Levenshtein

from api_client import key, upload
from conftest import ROOT, SAMPLE_DOCS
from core.encode.sparse import Bm25Encoder
from core.errors import InvalidRequest
from core.language import LanguageDetector
from core.types import Chunk
from ingest import ocr
from ingest.limits import Limits
from ingest.pipeline import Source
from ingest.tag_language import declared_language, tag_languages

sys.path.insert(0, str(ROOT / "scripts"))
import scanned_pdf  # noqa: E402 - scripts/ is not a package: its writer of scanned pages

FRENCH = ("Combien de jours par semaine peut-on télétravailler ?", "politique-teletravail.md", "trois jours")
GERMAN = ("Wie lange dauert das Laden eines entladenen Akkus?", "ladestation-dc2.html", "90 Minuten")


@pytest.mark.parametrize(("question", "source", "fact"), [FRENCH, GERMAN], ids=["french", "german"])
def test_a_question_in_its_documents_language_finds_its_passage_first_by_keywords(
    kb, question: str, source: str, fact: str
) -> None:
    hits = kb.retriever.search(question, tenant="default", top_k=3, mode="sparse").hits
    assert hits[0].source == source and fact in hits[0].text, [(h.source, h.text[:50]) for h in hits]
    assert hits[0].language == {"politique-teletravail.md": "fr", "ladestation-dc2.html": "de"}[source]


def test_english_documents_and_questions_are_analysed_as_before(kb) -> None:
    hits = kb.retriever.search(
        "How long is the warranty on a Porter robot?", tenant="default", mode="sparse"
    ).hits
    assert hits[0].source == "support-faq.html" and hits[0].language == "en"
    auto, english = Bm25Encoder(language="auto"), Bm25Encoder()
    text = (SAMPLE_DOCS / "employee-handbook.md").read_text()
    assert auto.embed_document(text, auto.language_of(text)) == english.embed_document(text)
    assert auto.embed_query("What is the hotel cap in Lyon?") == english.embed_query(
        "What is the hotel cap in Lyon?"
    )


def test_inflected_forms_meet_by_their_own_languages_stemmer() -> None:
    auto, english = Bm25Encoder(language="auto"), Bm25Encoder()
    doc = "Ein vollständig entladener Akku ist nach 90 Minuten wieder voll geladen."
    question = "Wie lange dauert das Laden eines entladenen Akkus?"  # "entladenen": another form
    shared = set(auto.embed_query(question).indices) & set(auto.embed_document(doc, "de").indices)
    assert len(shared) >= 1  # entlad
    assert auto.embed_document("entladenen", "de").indices == auto.embed_document("entladener", "de").indices
    assert english.embed_document("entladenen").indices != english.embed_document("entladener").indices
    # German stopwords are no terms: "das", "eines", "wie" match nothing.
    assert auto.embed_query("Wie lange dauert das eines").indices == auto.embed_query("lange dauert").indices


def test_the_language_filter_keeps_chunks_of_those_languages_only(kb) -> None:
    hits = kb.retriever.search("robot", tenant="default", top_k=20, languages=["de"]).hits
    assert hits and {h.source for h in hits} == {"ladestation-dc2.html"}
    both = kb.retriever.search("robot", tenant="default", top_k=50, languages=["de", "fr"]).hits
    assert {h.language for h in both} == {"de", "fr"}
    with pytest.raises(InvalidRequest, match="ISO 639-1"):
        kb.retriever.search("robot", tenant="default", languages=["french"])


def _chunk(i: int, text: str) -> Chunk:
    return Chunk(index=i, text=text, pages=(), section="", kinds=("NarrativeText",), n_tokens=len(text) // 4)


def test_a_document_that_mixes_languages_tags_each_chunk_with_its_own() -> None:
    english = (
        "Visitors must wear their badge at all times and be accompanied by the employee who invited them."
    )
    french = (
        "Les visiteurs portent leur badge en permanence et sont accompagnés par le salarié qui les a invités."
    )
    short = "Annexe B"  # too short to tell: the document's language
    chunks = [_chunk(0, english * 3), _chunk(1, english * 2), _chunk(2, french * 3), _chunk(3, short)]
    tagged = tag_languages(chunks, Bm25Encoder(language="auto"))
    assert [c.language for c in tagged] == ["en", "en", "fr", "en"]
    # With a fixed language every chunk is in it.
    assert {c.language for c in tag_languages(chunks, Bm25Encoder(language="german"))} == {"de"}


@pytest.mark.parametrize("text", ["", "3 years?", "SKU-1042 / PH2-0148", "Porter robot"])
def test_text_that_tells_no_language_is_analysed_in_the_default(text: str) -> None:
    assert LanguageDetector().detect(text) is None
    assert Bm25Encoder(language="auto", default="french").language_of(text) == "fr"


def test_a_language_bm25_cannot_analyse_is_not_claimed() -> None:
    # Polish is closest to Slovene among BM25's languages; it is neither.
    polish = "Odwiedzający muszą nosić identyfikator przez cały czas pobytu w budynku firmy."
    assert LanguageDetector().detect(polish) is None


def test_the_api_filters_by_language_and_refuses_a_code_it_does_not_know(client) -> None:
    a = key(client, "acme")
    data = (SAMPLE_DOCS / "politique-teletravail.md").read_bytes()
    assert upload(client, a, ("politique-teletravail.md", data)).status_code in (200, 201, 202)
    body = {"query": "jours de télétravail", "filters": {"languages": ["fr"]}}
    hits = client.post("/v1/search", json=body, headers=a).json()["hits"]
    assert hits and {h["language"] for h in hits} == {"fr"}
    body["filters"]["languages"] = ["de"]
    assert client.post("/v1/search", json=body, headers=a).json()["hits"] == []
    for bad in (["xx"], ["french"]):
        r = client.post("/v1/search", json={"query": "jours", "filters": {"languages": bad}}, headers=a)
        assert r.status_code == 422 and ("ISO 639-1" in r.text or "pattern" in r.text), r.text


# -- the parser told the language ------------------------------------------------------------------------

DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")  # Debian's fonts-dejavu-core
EVACUATION = [
    "# Procédure d'évacuation",
    "En cas d'alarme, dirigez-vous vers l'escalier le plus proche. Le point de rassemblement se trouve "
    "près de la barrière nord ; les guides-file, reconnaissables à leur gilet orange, vérifient les salles "
    "de réunion et ferment les portes coupe-feu derrière eux. Ne prenez jamais l'ascenseur.",
]


def test_a_declared_language_is_read_by_ocr_in_that_language_first() -> None:
    limits = replace(Limits.from_settings(), ocr_languages="eng")
    assert limits.told("fr").ocr_languages == ("fra+eng" if "fra" in _tesseract_languages() else "eng")
    assert limits.told("fr").language == "fr" and limits.told(None) is limits
    assert limits.told("en").ocr_languages == "eng"  # already read in it


@pytest.mark.skipif(not ocr.available() or not DEJAVU.exists(), reason="needs Tesseract and DejaVu Sans")
def test_a_french_scan_declared_french_is_read_better_and_tagged_french(runtime) -> None:
    if "fra" not in _tesseract_languages():
        pytest.skip("needs tesseract-ocr-fra (.ci/run installs it)")
    data = scanned_pdf.pdf(scanned_pdf.pages([EVACUATION], font=str(DEJAVU)))
    want = " ".join(" ".join(EVACUATION).replace("# ", "").split())
    errors = {}
    for name, metadata in (("plain.pdf", {}), ("told.pdf", {"language": "fr"})):
        report = runtime.ingestor.ingest([Source.from_bytes(data, name, "default", metadata=metadata)])
        assert report.count("added") == 1, report.to_dict()
        hits = runtime.retriever.search("point de rassemblement", tenant="default", top_k=10).hits
        [hit] = [h for h in hits if h.source == name]
        read = " ".join(hit.text.replace("#", " ").split())
        errors[name] = Levenshtein.distance(want, read) / len(want)
        if name == "told.pdf":
            assert hit.language == "fr"
    # Accents read as accents: Tesseract's French data knows "é", "è", "à" where English guesses.
    assert errors["told.pdf"] < errors["plain.pdf"] and errors["told.pdf"] <= 0.01, errors


def test_a_declared_language_outranks_detection_and_a_nonsense_one_is_ignored() -> None:
    auto = Bm25Encoder(language="auto")
    chunks = [_chunk(0, "Les visiteurs portent leur badge en permanence dans le bâtiment de la société.")]
    assert tag_languages(chunks, auto, declared_language({"language": "DE "}))[0].language == "de"
    assert declared_language({"language": "German"}) == "de"
    assert declared_language({"language": "fr-FR"}) == "fr" and declared_language({"language": "nb"}) == "no"
    for nonsense in ({"language": "klingon"}, {"language": 7}, {}):
        assert tag_languages(chunks, auto, declared_language(nonsense))[0].language == "fr"


@functools.cache
def _tesseract_languages() -> frozenset[str]:
    return frozenset(lang for lang in ("eng", "fra", "deu") if not ocr.missing_languages(lang))


def test_chinese_is_indexed_in_character_pairs_so_a_few_characters_find_it() -> None:
    auto = Bm25Encoder(language="auto")
    doc = "员工每年享有二十七天带薪年假，另加公共假日。"  # staff get 27 days of paid annual leave a year
    assert auto.language_of(doc) == "zh" and auto.language_of("带薪年假") == "zh"
    shared = set(auto.embed_query("带薪年假").indices) & set(auto.embed_document(doc, "zh").indices)
    assert len(shared) == 3  # 带薪 薪年 年假
    # Japanese too, and languages written with spaces are not split.
    assert auto.language_of("有給休暇は何日ですか") == "ja"
    assert auto.embed_query("paid annual leave") == Bm25Encoder().embed_query("paid annual leave")
