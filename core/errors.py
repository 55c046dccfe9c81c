"""The error hierarchy. Adapters convert third-party exceptions into these with ``raise ... from``."""


class RagError(Exception):
    """Base class of every error this product raises on purpose."""


class ConfigError(RagError):
    """Settings are missing or contradict each other."""


class IngestError(RagError):
    """A document could not be turned into chunks. ``reason`` is a short machine-readable code."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


class UnsupportedFormat(IngestError):
    def __init__(self, message: str) -> None:
        super().__init__("unsupported_format", message)


class FileTooLarge(IngestError):
    def __init__(self, message: str) -> None:
        super().__init__("too_large", message)


class EmptyDocument(IngestError):
    def __init__(self, message: str) -> None:
        super().__init__("empty", message)


class NoExtractableText(IngestError):
    def __init__(self, message: str) -> None:
        super().__init__("no_text", message)


class EncryptedDocument(IngestError):
    def __init__(self, message: str) -> None:
        super().__init__("encrypted", message)


class MalformedDocument(IngestError):
    def __init__(self, message: str) -> None:
        super().__init__("malformed", message)


class ParseTimeout(IngestError):
    """The parser ran out of its time (wall clock or CPU) and was stopped."""

    def __init__(self, message: str) -> None:
        super().__init__("timeout", message)


class Cancelled(IngestError):
    """The work was cancelled (by a caller, or by its job's timeout) and stopped."""

    def __init__(self, message: str) -> None:
        super().__init__("cancelled", message)


class QuotaExceeded(IngestError):
    """Storing the file would take the tenant over its storage quota."""

    def __init__(self, message: str) -> None:
        super().__init__("quota", message)


class ParserUnavailable(RagError):
    """No parser process could be started or loaded: the service's trouble, not the document's."""


class StoreError(RagError):
    """The vector store refused or failed an operation."""


class IndexSwitched(StoreError):
    """Another process switched the served index version while a document was prepared for the old one."""


class IndexMismatch(StoreError):
    """The index on disk was built with other embedding or BM25 settings than the ones configured."""


class ReindexError(RagError):
    """A re-index cannot start, go on or be rolled back; the index being served is unchanged."""


class DocumentBusy(RagError):
    """Another live process is writing or deleting the document."""


class DocumentNotFound(RagError):
    """No document with that id exists for that tenant."""


class EmbeddingError(RagError):
    """The embedding model could not be loaded or failed."""


class InvalidRequest(RagError):
    """The request itself is wrong (an empty question, a bad filter): the caller must change it."""


class LLMError(RagError):
    """The language model could not be reached, refused the request or returned nothing usable."""


class PromptError(RagError):
    """A prompt template is missing, malformed or was asked for with the wrong variables."""


class ConversationNotFound(RagError):
    """No conversation with that id exists for that tenant."""


class TraceNotFound(RagError):
    """No answer with that trace id exists for that tenant."""


class DatabaseError(RagError):
    """One of our databases (registry, conversations, traces) cannot be reached, opened or migrated."""


class DatabaseBehind(DatabaseError):
    """A database's schema is older than this version needs, and upgrading on open is off."""
