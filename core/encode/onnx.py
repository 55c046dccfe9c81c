"""Embed with ONNX Runtime: the same all-MiniLM-L6-v2, exported to ONNX once and quantised to int8.

The export runs at first use and is cached under ``<data>/models/<key>/``, the key covering the model
files and every export setting, so a changed model or setting makes a new file rather than reusing a
stale one. Quantisation is dynamic int8, per channel, MatMul only, with each feed-forward output
projection of the first two layers left in float: the default settings of ``quantize_dynamic`` cost
too much accuracy (cosine 0.937 to the reference); these keep it at 0.997 on average.
Tokenisation uses the model's own tokenizer.json; pooling is the mean over the attention mask, then L2
normalisation, as sentence-transformers does for this model. sentence-transformers stays the reference.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from core import offline
from core.encode.dense import LocalEmbedder
from core.errors import EmbeddingError

log = logging.getLogger(__name__)

OPSET = 17
# The feed-forward output projections of the first two layers stay float: their inputs (after GELU) have
# the widest range, and quantising them cost the most accuracy (all MatMuls int8: SciFact dense nDCG@10
# -0.009, mean cosine 0.9953; these two float: 0.9968; all six float: 0.9980 but 1.75x instead of 2.5x).
QUANTISATION = {
    "type": "dynamic",
    "weight": "QInt8",
    "per_channel": True,
    "ops": ["MatMul"],
    "float": "ffn-output-layers-0-1",
}
_INPUTS = ("input_ids", "attention_mask", "token_type_ids")
_FLOAT_LAYERS = (0, 1)


def export_key(model_path: Path) -> str:
    """Changes whenever the model's files or the export/quantisation recipe change."""
    h = hashlib.sha256(json.dumps({"opset": OPSET, "quant": QUANTISATION}, sort_keys=True).encode())
    for name in ("model.safetensors", "config.json", "tokenizer.json"):
        f = model_path / name
        h.update(name.encode())
        h.update(f.read_bytes() if name != "model.safetensors" else str(f.stat().st_size).encode())
        if name == "model.safetensors":
            with open(f, "rb") as fh:  # the header and the first MiB identify the weights cheaply
                h.update(fh.read(1 << 20))
    return h.hexdigest()[:16]


def export_int8(model_path: Path, cache_dir: Path) -> Path:
    """The quantised model file, exported and quantised on first use (a few seconds), then cached."""
    target_dir = cache_dir / f"minilm-onnx-int8-{export_key(model_path)}"
    target = target_dir / "model.int8.onnx"
    if target.exists():
        return target
    offline.guard()
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from onnxruntime.quantization.shape_inference import quant_pre_process
    from transformers import AutoModel

    target_dir.mkdir(parents=True, exist_ok=True)
    tmp = target_dir / f".work-{os.getpid()}"
    tmp.mkdir(exist_ok=True)
    try:
        base = AutoModel.from_pretrained(str(model_path), local_files_only=True)
        base.eval()

        class _LastHidden(torch.nn.Module):
            def __init__(self, model: torch.nn.Module) -> None:
                super().__init__()
                self.model = model

            def forward(self, input_ids, attention_mask, token_type_ids):  # noqa: ANN001, ANN201
                out = self.model(
                    input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
                )
                return out.last_hidden_state

        dummy = tuple(torch.ones(2, 8, dtype=torch.long) for _ in _INPUTS)
        axes = {name: {0: "batch", 1: "sequence"} for name in (*_INPUTS, "last_hidden_state")}
        # Tracing warns about shape-dependent Python branches in transformers' masking code; the export
        # has dynamic axes and is checked against the reference by the equivalence tests.
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.onnx.export(
                _LastHidden(base),
                dummy,
                str(tmp / "model.onnx"),
                input_names=list(_INPUTS),
                output_names=["last_hidden_state"],
                dynamic_axes=axes,
                opset_version=OPSET,
                dynamo=False,
            )
        quant_pre_process(str(tmp / "model.onnx"), str(tmp / "model.pre.onnx"), skip_symbolic_shape=True)
        import onnx

        graph = onnx.load(str(tmp / "model.pre.onnx")).graph
        keep_float = [
            n.name
            for n in graph.node
            if n.op_type == "MatMul"
            and "/output/dense/" in n.name
            and "/attention/" not in n.name
            and any(f"/layer.{i}/" in n.name for i in _FLOAT_LAYERS)
        ]
        quantize_dynamic(
            str(tmp / "model.pre.onnx"),
            str(tmp / "model.int8.onnx"),
            per_channel=True,
            op_types_to_quantize=["MatMul"],
            weight_type=QuantType.QInt8,
            nodes_to_exclude=keep_float,
        )
        os.replace(tmp / "model.int8.onnx", target)  # atomic: a half-written file is never used
    except (OSError, RuntimeError, ValueError) as e:
        raise EmbeddingError(f"could not export the embedding model to ONNX: {e}") from e
    finally:
        for f in tmp.glob("*"):
            f.unlink()
        tmp.rmdir()
    log.info("exported %s to %s", model_path, target)
    return target


class OnnxEmbedder(LocalEmbedder):
    backend = "onnx-int8"

    def __init__(self, model_path: Path, model_name: str, cache_dir: Path, **kwargs: int) -> None:
        super().__init__(model_path, model_name, **kwargs)
        self.cache_dir = Path(cache_dir)

    def _load(self) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        missing = [
            n
            for n in ("model.safetensors", "config.json", "tokenizer.json")
            if not (self.model_path / n).exists()
        ]
        if missing:  # else export_key fails with a bare FileNotFoundError
            raise EmbeddingError(f"no model at {self.model_path}: {', '.join(missing)} missing")
        path = export_int8(self.model_path, self.cache_dir)
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = self.threads
        opts.inter_op_num_threads = 1
        try:
            self._session = ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])
        except Exception as e:  # noqa: BLE001 - onnxruntime raises its own untyped errors
            raise EmbeddingError(f"could not load {path}: {e}") from e
        tok = Tokenizer.from_file(str(self.model_path / "tokenizer.json"))
        tok.enable_truncation(self.max_seq_length)
        tok.no_padding()
        self._tokenizer = tok
        self._run(tok.encode_batch(["warm up"]))

    def _run(self, encodings: Sequence) -> np.ndarray:  # tokenizers.Encoding
        width = max(len(e.ids) for e in encodings)
        ids = np.zeros((len(encodings), width), dtype=np.int64)
        mask = np.zeros((len(encodings), width), dtype=np.int64)
        for i, e in enumerate(encodings):
            ids[i, : len(e.ids)] = e.ids
            mask[i, : len(e.ids)] = 1
        hidden = self._session.run(
            None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        )[0]
        weights = mask[:, :, None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        return pooled / np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)

    def _embed(self, texts: list[str]) -> np.ndarray:
        # Batches of similar lengths waste no padding: sort by token count, embed, restore the order.
        encodings = self._tokenizer.encode_batch(texts)
        order = np.argsort([len(e.ids) for e in encodings], kind="stable")
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for start in range(0, len(texts), self.batch_size):
            idx = order[start : start + self.batch_size]
            out[idx] = self._run([encodings[i] for i in idx])
        return out
