"""The query path: question -> retrieve -> prompt -> generate -> verify -> answer, and its monitoring."""
