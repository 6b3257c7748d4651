"""Dense embeddings of cases, queries and sentences (sentence-transformers, CPU, offline).

The default model is multilingual-e5-small, built once by ``casusgraaf setup`` (see
:mod:`casusgraaf.embedding.build`). ``CASUSGRAAF_MODEL`` selects any other sentence-transformers id
or local path; loading never touches the network (``HF_HUB_OFFLINE=1`` unless set otherwise).
``CASUSGRAAF_EMBEDDING_BACKEND`` picks how it runs: ``fp32`` or ``int8`` (:func:`quantise_int8`).
"""

from __future__ import annotations

import os
import re
import threading
import warnings
from pathlib import Path

import numpy as np

from casusgraaf.config import DEFAULT_MODEL_NAME, Settings
from casusgraaf.errors import Unavailable

MISSING_MODEL = "Het embeddingmodel ontbreekt; draai `casusgraaf setup` (bouwt het model offline)"
_E5_PREFIXES = {"query": "query: ", "passage": "passage: "}
_SENTENCE_END = re.compile(r"(?<=[.!?…:;])\s+|\n\s*")
_OVERLAP_TOKENS = 64  # context carried from one chunk into the next
BACKENDS = ("fp32", "int8")


class ModelMissingError(Unavailable):
    """The default embedding model has not been built yet."""


# Bulk embedding uses up to 2 threads; a few texts (a query, an explanation) use one. Measured on a
# shared 2-core machine: one query case took 56 ms with 1 thread and 230-330 ms with 2, because idle
# OpenMP workers spin against the other processes and thread pools (docs/BENCHMARKS.md, "embed").
_BULK_THREADS = max(1, min(2, os.cpu_count() or 1))
_SMALL_CALL = 4


def _limit_threads() -> None:
    import torch

    torch.set_num_threads(_BULK_THREADS)
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:  # already set, or parallel work has started
        pass


def backend_model_id(model_id: str, backend: str) -> str:
    """The id recorded with every vector and the index: the backend is part of it (fp32 keeps the plain id, so
    indexes built before backends existed stay valid), so vectors of two backends are never mixed."""
    return model_id if backend == "fp32" else f"{model_id}+{backend}"


def quantise_int8(model):
    """Dynamic int8 quantisation of every ``nn.Linear`` (weights int8 per output channel, activations quantised per
    batch at run time), in place. Per-channel weights: on the sample case texts mean cosine to fp32 0.986 against
    0.972 with one scale per tensor, at the same speed (``bench/bench_embed.py --backends``; docs/BENCHMARKS.md,
    section embed-backends)."""
    import torch

    with warnings.catch_warnings():  # torch.ao.quantization announces its move to torchao; it still works
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.filterwarnings("ignore", category=UserWarning, module=r"torch\.ao")
        from torch.ao.quantization import per_channel_dynamic_qconfig, quantize_dynamic

        return quantize_dynamic(model, {torch.nn.Linear: per_channel_dynamic_qconfig}, dtype=torch.qint8,
                                inplace=True)


class Embedder:
    """One loaded sentence-transformers model; vectors are float32 and L2-normalised.

    Query prefix: measured on 16 Dutch case paraphrase pairs, each twin stored with ``passage: `` among
    220 generated cases (``bench/bench_embed.py``): a ``passage: `` prefix on the query case ranked the
    twin first for 0.88 of the pairs (mean margin over the best distractor 0.024), ``query: `` for 0.56
    (margin 0.005). Case-to-case similarity is symmetric, so :meth:`embed_query` embeds with
    ``passage: `` by default; pass ``kind="query"`` for a short search question.

    ``backend="int8"`` runs the same model quantised (:func:`quantise_int8`); :attr:`model_id` then ends in
    ``+int8``, so its vectors are recorded as another model's and never mixed with fp32 ones in an index.
    """

    def __init__(self, model_path: str, model_id: str | None = None, batch_size: int = 16,
                 backend: str = "fp32"):
        if backend not in BACKENDS:
            raise ValueError(f"onbekende embedding-backend {backend!r}; kies uit {', '.join(BACKENDS)}")
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        _limit_threads()
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()
        self._model = SentenceTransformer(model_path, device="cpu")
        self._model.eval()
        if backend == "int8":
            quantise_int8(self._model)
        self.backend = backend
        self.model_id = backend_model_id(model_id or model_path, backend)
        self.batch_size = batch_size
        get_dim = (
            getattr(self._model, "get_embedding_dimension", None)
            or self._model.get_sentence_embedding_dimension
        )
        self.dim = int(get_dim() or len(self._model.encode(["x"])[0]))
        self.max_tokens = int(self._model.max_seq_length or 512)
        prompts = dict(getattr(self._model, "prompts", None) or {})
        if not prompts.get("query") and "e5" in model_path.lower():
            prompts = dict(_E5_PREFIXES)
        self.prefixes = {k: prompts.get(k, "") for k in ("query", "passage")}
        self._tok = self._model.tokenizer
        self._lock = threading.Lock()  # torch inference on one model: one call at a time

    # ------------------------------------------------------------------ public
    def embed_passages(self, texts: list[str], progress: bool = False) -> np.ndarray:
        """One vector per case text (``passage: `` prefix); long texts are chunked and pooled."""
        return self._embed_long(list(texts), self.prefixes["passage"], progress)

    def embed_query(self, text: str, kind: str = "passage") -> np.ndarray:
        """One vector for a query case; see the class docstring for the prefix choice."""
        return self._embed_long([text], self.prefixes[kind], False)[0]

    def token_count(self, text: str) -> int:
        """Tokens of ``text`` without prefix and special tokens."""
        return len(self._tok(text, add_special_tokens=False)["input_ids"])

    # ------------------------------------------------------------------ internals
    def _encode(self, texts: list[str], progress: bool) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        import torch

        with self._lock:
            torch.set_num_threads(1 if len(texts) <= _SMALL_CALL else _BULK_THREADS)
            vecs = self._model.encode(
                texts,
                batch_size=self.batch_size,
                show_progress_bar=progress,
                convert_to_numpy=True,
                normalize_embeddings=True,
            )
        return np.ascontiguousarray(vecs, dtype=np.float32)

    def _embed_long(self, texts: list[str], prefix: str, progress: bool) -> np.ndarray:
        budget = self.max_tokens - 2 - self.token_count(prefix)
        chunks: list[str] = []
        weights: list[int] = []
        owner: list[int] = []
        for i, text in enumerate(texts):
            for chunk, ntok in self.chunk(text, budget):
                chunks.append(prefix + chunk)
                weights.append(max(ntok, 1))
                owner.append(i)
        vecs = self._encode(chunks, progress)
        out = np.zeros((len(texts), self.dim), np.float32)
        np.add.at(out, np.asarray(owner, dtype=np.int64), vecs * np.asarray(weights, np.float32)[:, None])
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.maximum(norms, 1e-12)

    def chunk(self, text: str, budget: int | None = None) -> list[tuple[str, int]]:
        """Split ``text`` into pieces of at most ``budget`` tokens, on sentence boundaries where possible.

        Consecutive chunks overlap by up to ~64 tokens of whole sentences, so context at a boundary is
        seen twice. A sentence longer than the budget is cut on token offsets. Returns (chunk, tokens).
        """
        if budget is None:
            budget = self.max_tokens - 2 - self.token_count(self.prefixes["passage"])
        total = self.token_count(text)
        if total <= budget:
            return [(text, total)]
        sentences = [s for s in _SENTENCE_END.split(text) if s.strip()]
        sized: list[tuple[str, int]] = []
        counts = [len(ids) for ids in self._tok(sentences, add_special_tokens=False)["input_ids"]]
        for sentence, n in zip(sentences, counts, strict=True):
            sized.extend(self._split_long(sentence, budget) if n > budget else [(sentence, n)])
        chunks: list[tuple[str, int]] = []
        current: list[tuple[str, int]] = []
        size = 0
        for sentence, n in sized:
            if current and size + n > budget:
                chunks.append((" ".join(s for s, _ in current), size))
                carry: list[tuple[str, int]] = []
                for s, m in reversed(current):
                    if (
                        sum(c for _, c in carry) + m > _OVERLAP_TOKENS
                        or sum(c for _, c in carry) + m + n > budget
                    ):
                        break
                    carry.insert(0, (s, m))
                current, size = carry, sum(c for _, c in carry)
            current.append((sentence, n))
            size += n
        if current:
            chunks.append((" ".join(s for s, _ in current), size))
        return chunks

    def _split_long(self, sentence: str, budget: int) -> list[tuple[str, int]]:
        enc = self._tok(sentence, add_special_tokens=False, return_offsets_mapping=True)
        offsets = enc["offset_mapping"]
        pieces = []
        for start in range(0, len(offsets), budget):
            window = offsets[start : start + budget]
            pieces.append((sentence[window[0][0] : window[-1][1]], len(window)))
        return pieces


_cache: dict[str, Embedder] = {}
_cache_lock = threading.Lock()


def get_embedder(settings: Settings) -> Embedder:
    """The process-wide :class:`Embedder` for ``settings.model_path`` and ``settings.embedding_backend`` (loaded
    once, ~8 s)."""
    path = settings.model_path
    backend = settings.embedding_backend
    key = f"{backend}:{path}"
    with _cache_lock:
        if key not in _cache:
            if settings.model is None:
                from casusgraaf.embedding.build import is_built

                if not is_built(Path(path)):
                    raise ModelMissingError(MISSING_MODEL)
                model_id = DEFAULT_MODEL_NAME
            else:
                model_id = settings.model
            try:
                _cache[key] = Embedder(path, model_id=model_id, backend=backend)
            except (OSError, ValueError) as exc:  # a path that is not there, or not a model folder
                raise ModelMissingError(
                    f"CASUSGRAAF_MODEL: model '{model_id}' kon niet geladen worden ({type(exc).__name__}); geef "
                    "het pad van een sentence-transformers-map (downloaden kan hier niet), of laat de "
                    "variabele leeg voor het ingebouwde e5-model.") from None
        return _cache[key]
