"""The MCP server (Model Context Protocol, on the official ``mcp`` SDK): the tenant's documents as tools
(search, ask, list_documents, get_document) and resources (``rag://documents/{id}``) for agents.

``server`` builds it over a resolver that says who calls (the runtime and the tenant); ``render`` turns
our records into what a tool returns (text a model reads, and the same as structured content); ``http``
serves it on the API at /mcp (streamable HTTP, the API's keys); ``rag mcp`` serves it on stdio."""
