"""Retrieval and answers: hybrid retrieval over the index, and the command line."""
