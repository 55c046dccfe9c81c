"""The top: ``runtime`` builds the objects that do the work from settings; ``cli`` is the ``rag`` command."""
