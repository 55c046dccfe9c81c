import pytest

from rag.errors import ConfigError
from rag.settings import load_settings


def test_nested_env_variables_reach_their_group(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RAG_CHUNKING__SIZE_TOKENS", "128")
    monkeypatch.setenv("RAG_RETRIEVAL__FUSION", "dbsf")
    monkeypatch.setenv("RAG_STORE__API_KEY", "s3cret")
    s = load_settings()
    assert s.chunking.size_tokens == 128
    assert s.retrieval.fusion == "dbsf"
    assert s.store.api_key is not None and s.store.api_key.get_secret_value() == "s3cret"
    assert "s3cret" not in repr(s)


def test_url_selects_the_server_backend(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RAG_STORE__URL", "http://qdrant:6333")
    assert load_settings().store.backend == "server"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"RAG_CHUNKING__SIZE_TOKENS": "400"}, "does not fit the embedding model's window"),
        ({"RAG_CHUNKING__OVERLAP_TOKENS": "300", "RAG_CHUNKING__SIZE_TOKENS": "200"}, "overlap_tokens"),
        ({"RAG_RETRIEVAL__MODE": "magic"}, "retrieval.mode"),
        ({"RAG_STORE__BACKEND": "server"}, "RAG_STORE__URL is not set"),
        ({"RAG_BM25__B": "2"}, "bm25.b"),
    ],
)
def test_nonsense_is_refused_with_a_readable_message(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], message: str
) -> None:
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    with pytest.raises(ConfigError) as err:
        load_settings()
    assert message in str(err.value)
    assert "Traceback" not in str(err.value)
