"""One router per resource; each turns HTTP into calls of ingest/ and rag/ and back."""
