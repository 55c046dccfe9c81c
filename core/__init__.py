"""What ingestion and the query path share: settings, errors and types, the encoders (dense and
sparse) and the vector store. Imports nothing of the packages above it."""
