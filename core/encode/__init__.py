"""The encoders both sides of the index use: text -> dense vector (``dense``, ``onnx``) and text ->
BM25 sparse vector (``sparse``)."""
