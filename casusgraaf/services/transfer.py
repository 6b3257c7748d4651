"""Moving the graph: export (jsonl | csv | cypher), import, migrate with count verification, backup and restore.

An export is a folder with ``manifest.json`` (format, counts per label and relationship type, sha256 of every
file) and, per format:

    jsonl   casussen.jsonl (one case record a line: what `casusgraaf ingest` reads), knopen.jsonl and
            relaties.jsonl (every node and relationship with all properties: what `casusgraaf import` loads)
    csv     knopen_<Label>.csv, relaties_<TYPE>.csv with headers for `neo4j-admin database import full`
    cypher  graaf.cypher, CREATE/MATCH statements without parameters for cypher-shell

Vectors travel on the Casus nodes as the graph stores them (``embedding``, see graph/vectors.py), so an import
needs no model run; ``vectoren.npy`` (float32) with ``vectoren.ids`` beside it is the same for other tools and
refills the vector sidecar of the target. The leerpunt change log comes along. The quarantine is never exported: it holds what the privacy gate kept
out. A backup (embedded engine only) is a folder with a consistent RDB snapshot of the graph taken while the
server serves, the other files of the data dir and a manifest with checksums. See docs/OPERATIONS.md.

Vectors are read through :func:`casusgraaf.graph.vectors.load_vectors` and written through
:class:`~casusgraaf.graph.vectors.VectorFile`, as ingest does; nothing here parses the stored format.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import secrets
import shutil
import stat
import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import ValidationError

from casusgraaf.config import Settings
from casusgraaf.errors import BadInput, CasusgraafError, Refused
from casusgraaf.files import exclusive_lock, private_dir, write_private
from casusgraaf.graph import GraphStore, load_query, open_store, server
from casusgraaf.graph.schema import keys as schema_keys
from casusgraaf.graph.schema import load_schema, neo4j_ddl
from casusgraaf.graph.vectors import VectorFile, load_vectors, vectors_dir
from casusgraaf.progress import Progress
from casusgraaf.search.indexes import Indexes
from casusgraaf.services.ingest import reindex as rebuild_derived
from casusgraaf.services.ingest import sync_projection

FORMATS = ("jsonl", "csv", "cypher")
VERSION = 1
MANIFEST = "manifest.json"
RECORDS, NODES, RELS, CYPHER = "casussen.jsonl", "knopen.jsonl", "relaties.jsonl", "graaf.cypher"
VECTORS, VECTOR_IDS, CHANGE_LOG = "vectoren.npy", "vectoren.ids", "leerpunten_wijzigingen.jsonl"
EMBEDDING, LOCAL_PROPS = "embedding", frozenset({"embedding_ref"})  # a row in this data dir's sidecar: not exported
ARRAY_DELIMITER = "\x1f"  # neo4j-admin --array-delimiter=U+001F: never inside a text fragment
PAGE = 2000  # nodes per page of the dump (internal id range)
BATCH = 500  # rows per write transaction on import
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# neo4j-admin header types per schema.yaml property type (dates are ISO strings in casusgraaf).
_CSV_TYPES = {"string": "string", "date": "string", "integer": "long", "float": "double", "boolean": "boolean",
              "list[string]": "string[]", "list[integer]": "long[]", "list[float]": "double[]"}

Counts = dict[str, dict[str, int]]
Node = tuple[str, dict[str, Any]]  # (label, properties)
Rel = tuple[str, tuple[str, Any], tuple[str, Any], dict[str, Any]]  # (type, (label, key), (label, key), props)


# -- counts ----------------------------------------------------------------------------------------

def graph_counts(store: GraphStore) -> Counts:
    """Nodes per label and relationships per type: what export, import, migrate and backup verify."""
    labels: dict[str, int] = defaultdict(int)
    for row in store.read(load_query("export_label_counts")):
        labels[":".join(sorted(row["labels"])) or "(zonder label)"] += int(row["n"])
    types = {row["type"]: int(row["n"]) for row in store.read(load_query("export_type_counts"))}
    return {"labels": dict(sorted(labels.items())), "relaties": dict(sorted(types.items()))}


def count_diff(expected: Counts, actual: Counts) -> list[str]:
    """Human-readable differences ("relaties RAAKT_WET: 12 verwacht, 11 gevonden"); empty when equal."""
    out = []
    for part in ("labels", "relaties"):
        a, b = expected.get(part, {}), actual.get(part, {})
        for name in sorted(set(a) | set(b)):
            if a.get(name, 0) != b.get(name, 0):
                out.append(f"{part} {name}: {a.get(name, 0)} verwacht, {b.get(name, 0)} gevonden")
    return out


def _total(counts: Counts, part: str) -> int:
    return sum(counts.get(part, {}).values())


# -- reading the graph -----------------------------------------------------------------------------

class _Dump:
    """One pass over the graph in pages of internal node ids: nodes (with the vectors of their cases), then
    relationships with both ends as (label, key), so any engine can load them by key."""

    def __init__(self, store: GraphStore, settings: Settings, with_vectors: bool) -> None:
        self.store = store
        self.settings = settings
        self.with_vectors = with_vectors
        self.keys = schema_keys()
        self.ends: dict[int, tuple[str, Any]] = {}
        self.pages: list[tuple[int, int]] = []
        self.vector_ids: list[str] = []
        self.vectors: list[np.ndarray] = []
        self.models: set[str] = set()

    def nodes(self) -> Iterator[Node]:
        query, nxt = load_query("export_node_range"), load_query("export_next_node")
        first = self.store.read(nxt, {"van": 0})[0]
        lo, top = first["nid"], first["max_nid"]
        while lo is not None and lo <= top:
            rows = self.store.read(query, {"van": lo, "tot": lo + PAGE}, include_embedding=self.with_vectors)
            if not rows:  # a gap in the ids (many deletes, or Neo4j's sparse ids): jump to the next node
                lo = self.store.read(nxt, {"van": lo + PAGE})[0]["nid"]
                continue
            self.pages.append((lo, lo + PAGE))
            self._vectors([r["node"].get("id") for r in rows if r["node"].get("_labels") == ["Casus"]])
            for r in rows:
                props = {k: v for k, v in r["node"].items() if k not in LOCAL_PROPS}
                labels = props.pop("_labels", [])
                label = self._label(labels, props)
                self.ends[int(r["nid"])] = (label, props[self.keys[label]])
                if label == "Casus" and props.get("embedding_model"):
                    self.models.add(str(props["embedding_model"]))
                yield label, props
            lo += PAGE

    def _label(self, labels: list[str], props: dict[str, Any]) -> str:
        if len(labels) != 1 or labels[0] not in self.keys:
            raise BadInput(f"knoop met label(s) {':'.join(labels) or '(geen)'} staat niet in models/schema.yaml; "
                           "alleen knopen van de casusgraaf-ontologie kunnen mee (voeg het label toe of verwijder ze)")
        label = labels[0]
        if props.get(self.keys[label]) is None:
            raise BadInput(f"een {label}-knoop heeft geen {self.keys[label]} (de sleutel); herstel of verwijder hem "
                           f"eerst, bv. met MATCH (n:{label}) WHERE n.{self.keys[label]} IS NULL DETACH DELETE n")
        return label

    def _vectors(self, ids: list[str]) -> None:
        if self.with_vectors and ids:
            found, matrix = load_vectors(self.store, self.settings, ids)
            self.vector_ids += found
            self.vectors += list(matrix)

    def rels(self) -> Iterator[Rel]:
        query = load_query("export_relationship_range")
        for lo, hi in self.pages:
            for r in self.store.read(query, {"van": lo, "tot": hi}):
                props = dict(r["rel"])
                rtype = props.pop("_type")
                a, b = self.ends.get(int(r["van"])), self.ends.get(int(r["naar"]))
                if a is None or b is None:  # a node created while the export ran
                    raise BadInput("de graaf veranderde tijdens de export (nieuwe knopen); exporteer opnieuw "
                                   "zonder gelijktijdige ingest, of maak een backup (die is een momentopname)")
                yield rtype, a, b, props


# -- case records ----------------------------------------------------------------------------------

_RECORD_FIELDS = ("titel", "jaar", "status", "datum_aanmelding", "datum_afronding", "interventies", "let_ingezet",
                  "op_ingezet", "kon_verder", "uitkomst", "doelgroep", "regievoerder")
_LEERPUNT_FIELDS = ("datum", "directie", "status", "status_code", "categorie", "orde", "soort", "al_bekend",
                    "beleidstraject", "geverifieerd", "stelselvraagstuk")
_ENTRY_FIELDS = ("datum", "code", "tekst", "bron", "wie", "id", "herkomst", "vastgelegd_op")


def case_records(store: GraphStore, case_ids: list[str], chunk: int = 200) -> Iterator[dict[str, Any]]:
    """The registered facts of each case as a case record (ARCHITECTURE.md §6), with its leerpunten (owner,
    status and every dated follow-up entry). Lists are sorted, so equal graphs give equal records."""
    for i in range(0, len(case_ids), chunk):
        rows = store.read(load_query("export_case_records"), {"ids": case_ids[i:i + chunk]})
        lp_ids = sorted({lid for row in rows for lid in row["leerpunten"]})
        leerpunten = {}
        if lp_ids:
            for lp in store.read(load_query("leerpunt_list"), {"ids": lp_ids}):
                leerpunten[lp["leerpunt"]["id"]] = _leerpunt_record(lp)
        for row in rows:
            yield _case_record(row, leerpunten)


def _case_record(row: dict[str, Any], leerpunten: dict[str, dict]) -> dict[str, Any]:
    c = row["casus"]
    rec: dict[str, Any] = {"id": c["id"], "tekst": c.get("tekst")}
    rec.update({k: c[k] for k in _RECORD_FIELDS if c.get(k) is not None})
    if c.get("afgewezen"):  # "soort:naam" on the node (ingest/mapping.py)
        rec["afgewezen"] = [dict(zip(("soort", "naam"), a.split(":", 1), strict=True)) for a in c["afgewezen"]]
    indieners = [x for x in row["indieners"] if x]
    if c.get("indiener_type") or indieners:
        ind = {"type": c.get("indiener_type") or "onbekend"}
        if indieners:
            first = sorted(indieners, key=lambda x: str(x["organisatie"]))[0]
            ind.update({k: v for k, v in first.items() if v is not None})
        rec["indiener"] = ind
    for key in ("beleidsterreinen", "leefgebieden", "wetten", "organisaties"):
        if row[key]:
            rec[key] = sorted(x for x in row[key] if x is not None)
    knelpunten = sorted((k for k in row["knelpunten"] if k), key=lambda k: _seq(k["id"]))
    if knelpunten:
        rec["knelpunten"] = [{k: v for k, v in kp.items() if k != "id" and v is not None} for kp in knelpunten]
    if row["leerpunten"]:
        rec["leerpunten"] = [leerpunten[lid] for lid in sorted(row["leerpunten"]) if lid in leerpunten]
    return rec


def _seq(knelpunt_id: str) -> tuple[int, str]:
    tail = knelpunt_id.rsplit("#", 1)[-1]
    digits = tail.lstrip("kx")
    return (int(digits) if digits.isdigit() else 0, tail)


def _leerpunt_record(lp: dict[str, Any]) -> dict[str, Any]:
    node = lp["leerpunt"]
    rec: dict[str, Any] = {"id": node["id"], "tekst": node.get("tekst") or ""}
    rec.update({k: node[k] for k in _LEERPUNT_FIELDS if node.get(k) is not None})
    rec["belegd_bij"] = sorted(o["naam"] for o in lp["eigenaren"] if o)
    if lp["teruggelegd_via"]:
        rec["teruggelegd_via"] = sorted(lp["teruggelegd_via"])[0]
    if lp["doorgegeven_aan"]:
        rec["doorgegeven_aan"] = sorted(lp["doorgegeven_aan"])
    earlier = sorted((x for x in lp["terugkerend_van"] if x), key=lambda x: (x.get("bron") != "registratie", x["id"]))
    if earlier:  # the record holds one; every link is in knopen/relaties.jsonl
        rec["terugkerend_van"] = earlier[0]["id"]
    entries = sorted((e for e in lp["opvolging"] if e),
                     key=lambda e: (str(e.get("datum")), str(e.get("vastgelegd_op") or ""), e.get("volgnr") or 0))
    rec["opvolging"] = [{k: e[k] for k in _ENTRY_FIELDS if e.get(k) is not None} for e in entries]
    return rec


# -- writers per format ----------------------------------------------------------------------------

def _props_schema() -> dict[str, dict[str, dict[str, Any]]]:
    schema = load_schema()
    out = {label: node["properties"] for label, node in schema["nodes"].items()}
    out.update({rtype: (spec.get("properties") or {}) for rtype, spec in schema["relationships"].items()})
    return out


class _Sink:
    """Receives the dump; returns the files it wrote (relative names)."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.files: list[str] = []
        self._stack = ExitStack()

    def open(self, name: str) -> io.TextIOWrapper:
        fd = os.open(self.out / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        self.files.append(name)
        return self._stack.enter_context(open(fd, "w", encoding="utf-8", newline=""))

    def node(self, label: str, props: dict[str, Any]) -> None:
        raise NotImplementedError

    def rel(self, rel: Rel) -> None:
        raise NotImplementedError

    def close(self, dump: _Dump) -> None:
        self._stack.close()


class _JsonlSink(_Sink):
    def __init__(self, out: Path) -> None:
        super().__init__(out)
        self._nodes, self._rels = self.open(NODES), self.open(RELS)

    def node(self, label: str, props: dict[str, Any]) -> None:
        self._nodes.write(json.dumps({"label": label, "props": props}, ensure_ascii=False) + "\n")

    def rel(self, rel: Rel) -> None:
        rtype, a, b, props = rel
        self._rels.write(json.dumps({"type": rtype, "van": list(a), "naar": list(b), "props": props},
                                    ensure_ascii=False) + "\n")


def _csv_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list | tuple | np.ndarray):
        return _csv_value(ARRAY_DELIMITER.join(_csv_value(v).strip('"').replace('""', '"') for v in value))
    return '"' + str(value).replace('"', '""') + '"'


class _CsvSink(_Sink):
    """neo4j-admin import files: one per label and per relationship type, header from models/schema.yaml;
    every string quoted (an empty one stays a property), arrays joined with U+001F."""

    def __init__(self, out: Path) -> None:
        super().__init__(out)
        self.schema = _props_schema()
        self.keys = schema_keys()
        self._files: dict[str, tuple[io.TextIOWrapper, list[str]]] = {}
        self.kinds: dict[str, str] = {}  # file name -> "nodes" | "relationships" (neo4j-admin options)

    def _file(self, name: str, kind: str, header: list[str], columns: list[str]) -> tuple[Any, list[str]]:
        if name not in self._files:
            fh = self.open(name)
            fh.write(",".join(header) + "\n")
            self._files[name] = (fh, columns)
            self.kinds[name] = kind
        return self._files[name]

    def _columns(self, owner: str, props: dict[str, Any], skip: str | None = None) -> tuple[list[str], list[str]]:
        declared = self.schema.get(owner, {})
        unknown = sorted(set(props) - set(declared))
        if unknown:
            raise BadInput(f"{owner}.{unknown[0]} staat niet in models/schema.yaml; de CSV-kop komt uit het schema "
                           "(voeg de eigenschap toe, of exporteer als jsonl)")
        cols = [p for p in declared if p != skip and p not in LOCAL_PROPS]
        header = [f"{p}:{_CSV_TYPES.get(str((declared[p] or {}).get('type', 'string')), 'string')}" for p in cols]
        return cols, header

    def node(self, label: str, props: dict[str, Any]) -> None:
        key = self.keys[label]
        cols, header = self._columns(label, props, skip=key)
        fh, cols = self._file(f"knopen_{label}.csv", "nodes", [f"{key}:ID({label})", ":LABEL", *header], cols)
        fh.write(",".join([_csv_value(props[key]), label, *(_csv_value(props.get(c)) for c in cols)]) + "\n")

    def rel(self, rel: Rel) -> None:
        rtype, (la, ka), (lb, kb), props = rel
        spec = load_schema()["relationships"].get(rtype, {})
        name = f"relaties_{rtype}.csv" if (spec.get("from"), spec.get("to")) == (la, lb) else \
            f"relaties_{rtype}_{la}_{lb}.csv"
        cols, header = self._columns(rtype, props)
        fh, cols = self._file(name, "relationships", [f":START_ID({la})", f":END_ID({lb})", ":TYPE", *header], cols)
        fh.write(",".join([_csv_value(ka), _csv_value(kb), rtype, *(_csv_value(props.get(c)) for c in cols)]) + "\n")


def neo4j_admin_command(files: dict[str, str], database: str = "neo4j") -> str:
    """The `neo4j-admin database import full` command line for a csv export (run in the export folder)."""
    args = [f"--{kind}={name}" for name, kind in sorted(files.items(), key=lambda x: (x[1] != "nodes", x[0]))]
    return ("neo4j-admin database import full --overwrite-destination --multiline-fields=true "
            "--array-delimiter=U+001F --quote='\"' " + " ".join(args) + f" {database}")


def cypher_literal(value: Any) -> str:
    """A Cypher literal without parameters (strings single-quoted and escaped, maps with safe keys)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float | np.floating):
        return repr(float(value))
    if isinstance(value, list | tuple | np.ndarray):
        return "[" + ", ".join(cypher_literal(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_ident(k)}: {cypher_literal(v)}" for k, v in value.items() if v is not None) + "}"
    # \uXXXX is Neo4j-only (FalkorDB keeps it literally): other control characters stay as they are
    text = str(value).replace("\\", "\\\\").replace("'", "\\'").replace("\n", "\\n").replace("\r", "\\r")
    return "'" + text.replace("\t", "\\t") + "'"


def _ident(name: str) -> str:
    return name if _NAME.match(name) else "`" + name.replace("`", "``") + "`"


class _CypherSink(_Sink):
    """One statement a line, in transactions of 1000 (`:begin`/`:commit`), schema first."""

    def __init__(self, out: Path) -> None:
        super().__init__(out)
        self.keys = schema_keys()
        self._fh = self.open(CYPHER)
        self._fh.write("// casusgraaf export: cypher-shell -a bolt://HOST:7687 -u neo4j -f graaf.cypher "
                       "(into an empty Neo4j 5 database)\n")
        for ddl in neo4j_ddl():
            self._fh.write(f"{ddl.statement};\n")
        self._open = 0

    def _statement(self, text: str) -> None:
        if self._open == 0:
            self._fh.write(":begin\n")
        self._fh.write(text + ";\n")
        self._open += 1
        if self._open >= 1000:
            self._fh.write(":commit\n")
            self._open = 0

    def _commit(self) -> None:
        if self._open:
            self._fh.write(":commit\n")
            self._open = 0

    def node(self, label: str, props: dict[str, Any]) -> None:
        self._statement(f"CREATE (:{label} {cypher_literal(props)})")

    def rel(self, rel: Rel) -> None:
        rtype, (la, ka), (lb, kb), props = rel
        self._statement(f"MATCH (a:{la} {{{self.keys[la]}: {cypher_literal(ka)}}}), "
                        f"(b:{lb} {{{self.keys[lb]}: {cypher_literal(kb)}}}) "
                        f"CREATE (a)-[:{rtype}{' ' + cypher_literal(props) if props else ''}]->(b)")

    def close(self, dump: _Dump) -> None:
        self._commit()
        super().close(dump)


_SINKS: dict[str, Callable[[Path], _Sink]] = {"jsonl": _JsonlSink, "csv": _CsvSink, "cypher": _CypherSink}


# -- export ----------------------------------------------------------------------------------------

def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _new_dir(out: Path, what: str) -> Path:
    out = out.expanduser()
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise BadInput(f"{out} bestaat al en is geen lege map; kies een nieuwe map voor de {what}")
    try:
        return private_dir(out)
    except OSError as exc:
        raise BadInput(f"{out}: map niet aan te maken ({exc.strerror}); controleer het pad en de rechten") from None


def change_log_path(settings: Settings) -> Path:
    return settings.data_dir / "leerpunten" / "wijzigingen.jsonl"  # services/leerpunten.py writes it


def export(store: GraphStore, settings: Settings, out: Path, formaat: str = "jsonl", *, vectors: bool = True,
           progress: bool = False) -> dict[str, Any]:
    """Write the whole graph to the new folder ``out`` in ``formaat``; returns the manifest (with counts)."""
    if formaat not in FORMATS:
        raise BadInput(f"--formaat '{formaat}' bestaat niet; kies uit {', '.join(FORMATS)}")
    out = _new_dir(out, "export")
    before = graph_counts(store)
    dump = _Dump(store, settings, vectors)
    sink = _SINKS[formaat](out)
    with Progress(enabled=progress) as bar:
        task = bar.add("Knopen exporteren", total=_total(before, "labels"))
        case_ids = []
        for label, props in dump.nodes():
            sink.node(label, props)
            if label == "Casus":
                case_ids.append(props["id"])
            bar.advance(task)
        task = bar.add("Relaties exporteren", total=_total(before, "relaties"))
        for rel in dump.rels():
            sink.rel(rel)
            bar.advance(task)
        sink.close(dump)
        if formaat == "jsonl":
            task = bar.add("Casusrecords schrijven", total=len(case_ids))
            with sink.open(RECORDS) as fh:
                for rec in case_records(store, sorted(case_ids)):
                    fh.write(json.dumps(rec, ensure_ascii=False, sort_keys=True) + "\n")
                    bar.advance(task)
    files = list(sink.files)
    vector_info = None
    if dump.vectors:
        np.save(out / VECTORS, np.vstack(dump.vectors).astype(np.float32), allow_pickle=False)
        write_private(out / VECTOR_IDS, "".join(f"{cid}\n" for cid in dump.vector_ids))
        os.chmod(out / VECTORS, 0o600)
        files += [VECTORS, VECTOR_IDS]
        vector_info = {"aantal": len(dump.vectors), "dim": int(dump.vectors[0].shape[0]),
                       "modellen": sorted(dump.models)}
    if change_log_path(settings).is_file():
        shutil.copyfile(change_log_path(settings), out / CHANGE_LOG)
        os.chmod(out / CHANGE_LOG, 0o600)
        files.append(CHANGE_LOG)
    after = graph_counts(store)
    manifest: dict[str, Any] = {
        "soort": "casusgraaf-export", "versie": VERSION, "formaat": formaat,
        "gemaakt_op": datetime.now(UTC).isoformat(timespec="seconds"), "bron": store.backend,
        "aantallen": after, "vectoren": vector_info,
        "bestanden": {name: _sha256(out / name) for name in sorted(files)},
    }
    if before != after:
        manifest["waarschuwing"] = ("de graaf veranderde tijdens de export: " + "; ".join(count_diff(before, after))
                                    + ". Exporteer opnieuw zonder gelijktijdige ingest.")
    if formaat == "csv":
        assert isinstance(sink, _CsvSink)
        manifest["neo4j_admin"] = neo4j_admin_command(sink.kinds)
    write_private(out / MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=2) + "\n")
    return {**manifest, "map": str(out)}


# -- import ----------------------------------------------------------------------------------------

def read_manifest(src: Path, soort: str) -> dict[str, Any]:
    path = src.expanduser() / MANIFEST
    if not src.expanduser().is_dir():
        raise BadInput(f"{src}: geen map; geef de map van een casusgraaf-{soort.split('-')[-1]} op")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BadInput(f"{path} ontbreekt: {src} is geen {soort} (of hij is niet afgemaakt)") from None
    except (OSError, ValueError) as exc:
        raise BadInput(f"{path} is niet te lezen ({type(exc).__name__}); de {soort} is beschadigd") from None
    if manifest.get("soort") != soort or manifest.get("versie") != VERSION:
        raise BadInput(f"{path}: soort {manifest.get('soort')!r} versie {manifest.get('versie')!r}; verwacht "
                       f"{soort} versie {VERSION}")
    return manifest


def verify_files(src: Path, files: dict[str, Any]) -> None:
    """Every file of a manifest exists with its sha256; :class:`BadInput` naming the first that does not."""
    for name, want in sorted(files.items()):
        digest = want["sha256"] if isinstance(want, dict) else want
        path = src / name
        if not path.is_file():
            raise BadInput(f"{path} ontbreekt (staat in {src / MANIFEST}); de kopie is onvolledig")
        if _sha256(path) != digest:
            raise BadInput(f"{path}: controlegetal (sha256) klopt niet met {src / MANIFEST}; het bestand is "
                           "veranderd of beschadigd")


class _Loader:
    """Batched CREATE by label and by (type, start label, end label); ends matched on their key."""

    def __init__(self, store: GraphStore) -> None:
        self.store = store
        self.keys = schema_keys()
        self.buffers: dict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
        self.nodes = self.rels = 0

    def _check(self, *names: str) -> None:
        for name in names:
            if not _NAME.match(name):
                raise BadInput(f"ongeldige naam {name[:40]!r} in de export (label of relatietype)")

    def node(self, label: str, props: dict[str, Any]) -> None:
        if label not in self.keys:
            raise BadInput(f"label {label[:40]!r} staat niet in models/schema.yaml")
        buf = self.buffers[("n", label)]
        buf.append({"p": props})
        if len(buf) >= BATCH:
            self._flush(("n", label))

    def rel(self, rtype: str, a: tuple[str, Any], b: tuple[str, Any], props: dict[str, Any]) -> None:
        self._check(rtype, a[0], b[0])
        if a[0] not in self.keys or b[0] not in self.keys:
            raise BadInput(f"relatie {rtype} verwijst naar een label buiten models/schema.yaml")
        key = ("r", rtype, a[0], b[0])
        buf = self.buffers[key]
        buf.append({"a": a[1], "b": b[1], "p": props})
        if len(buf) >= BATCH:
            self._flush(key)

    def _flush(self, key: tuple[str, ...]) -> None:
        rows = self.buffers.pop(key, [])
        if not rows:
            return
        if key[0] == "n":
            self.store.write(f"UNWIND $rows AS row CREATE (n:{key[1]}) SET n += row.p", rows, BATCH)
            self.nodes += len(rows)
        else:
            _, rtype, la, lb = key
            self.store.write(f"UNWIND $rows AS row MATCH (a:{la} {{{self.keys[la]}: row.a}}) "
                             f"MATCH (b:{lb} {{{self.keys[lb]}: row.b}}) CREATE (a)-[r:{rtype}]->(b) SET r += row.p",
                             rows, BATCH)
            self.rels += len(rows)

    def flush(self) -> None:
        for key in list(self.buffers):
            self._flush(key)


def _jsonl(path: Path) -> Iterator[dict[str, Any]]:
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if line.strip():
                try:
                    yield json.loads(line)
                except ValueError:
                    raise BadInput(f"{path}:{n}: geen geldige JSON") from None


def _csv_parse(value: str, typ: str) -> Any:
    if value == "":
        return None
    if typ.endswith("[]"):
        return [_csv_parse(v, typ[:-2]) for v in value.split(ARRAY_DELIMITER)] if value else []
    if typ in ("long", "int"):
        return int(value)
    if typ in ("double", "float"):
        return float(value)
    if typ == "boolean":
        return value == "true"
    return value


def _read_csv(path: Path) -> Iterator[tuple[list[tuple[str, str]], list[str]]]:
    with open(path, encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        header = [(h.partition(":")[0], h.partition(":")[2]) for h in next(reader)]
        for row in reader:
            yield header, row


def _load_csv(src: Path, loader: _Loader) -> None:
    for path in sorted(src.glob("knopen_*.csv")):
        for header, row in _read_csv(path):
            props: dict[str, Any] = {}
            label = ""
            for (name, typ), value in zip(header, row, strict=True):
                if typ == "LABEL":
                    label = value
                elif typ.startswith("ID("):
                    props[name] = value
                else:
                    parsed = _csv_parse(value, typ)
                    if parsed is not None:
                        props[name] = parsed
            loader.node(label, props)
    loader.flush()
    for path in sorted(src.glob("relaties_*.csv")):
        for header, row in _read_csv(path):
            props, ends, rtype = {}, {}, ""
            for (name, typ), value in zip(header, row, strict=True):
                if typ == "TYPE":
                    rtype = value
                elif typ.startswith(("START_ID(", "END_ID(")):
                    ends[typ.split("(")[0]] = (typ[typ.index("(") + 1:-1], value)
                else:
                    parsed = _csv_parse(value, typ)
                    if parsed is not None:
                        props[name] = parsed
            loader.rel(rtype, ends["START_ID"], ends["END_ID"], props)


def _load_cypher(store: GraphStore, path: Path) -> None:
    """Run graaf.cypher statement by statement (one a line); the DDL is the engine's own (ensure_schema)."""
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            line = line.strip()
            if not line or line.startswith(("//", ":")) or line.startswith(("CREATE CONSTRAINT", "CREATE INDEX")):
                continue
            store.run(line.removesuffix(";"))


def _fill_sidecar(store: GraphStore, settings: Settings, src: Path, manifest: dict[str, Any]) -> int:
    """Append the exported vectors to the target's vector sidecar and point the cases at their rows, as ingest
    does (graph/vectors.py); without it the nodes' own copy serves. Only for a single-model export."""
    info = manifest.get("vectoren") or {}
    models = info.get("modellen") or []
    if VECTORS not in manifest["bestanden"] or len(models) != 1:
        return 0
    ids = (src / VECTOR_IDS).read_text(encoding="utf-8").split()
    matrix = np.load(src / VECTORS, allow_pickle=False)
    if matrix.shape[0] != len(ids):
        raise BadInput(f"{src / VECTORS} heeft {matrix.shape[0]} vectoren, {src / VECTOR_IDS} {len(ids)} ids")
    written = 0
    query = load_query("import_vector_refs")
    for i in range(0, len(ids), BATCH):
        refs = VectorFile(settings).append(matrix[i:i + BATCH], models[0])
        rows = [{"id": cid, "ref": ref} for cid, ref in zip(ids[i:i + BATCH], refs, strict=True)]
        written += sum(int(r["n"]) for r in store.run(query, {"rows": rows}))
    return written


def import_export(store: GraphStore, settings: Settings, src: Path, *, progress: bool = False,
                  reindex: bool = True) -> dict[str, Any]:
    """Load a `casusgraaf export` folder into an empty graph, exactly (no privacy gate, NLP or model run: the
    export came from a casusgraaf graph), then rebuild the indexes; returns counts and any difference."""
    src = src.expanduser()
    manifest = read_manifest(src, "casusgraaf-export")
    verify_files(src, manifest["bestanden"])
    present = graph_counts(store)
    if _total(present, "labels"):
        raise Refused(f"de doelgraaf ({store.backend}) is niet leeg ({_total(present, 'labels')} knopen); importeer "
                      "in een lege graaf, bv. een nieuwe CASUSGRAAF_DATA_DIR")
    store.ensure_schema()
    formaat = manifest["formaat"]
    loader = _Loader(store)
    with Progress(enabled=progress) as bar:
        task = bar.add("Graaf laden", total=_total(manifest["aantallen"], "labels")
                       + _total(manifest["aantallen"], "relaties"))
        if formaat == "jsonl":
            for item in _jsonl(src / NODES):
                loader.node(item["label"], item["props"])
                bar.advance(task)
            loader.flush()
            for item in _jsonl(src / RELS):
                loader.rel(item["type"], tuple(item["van"]), tuple(item["naar"]), item["props"])
                bar.advance(task)
        elif formaat == "csv":
            _load_csv(src, loader)
        else:
            _load_cypher(store, src / CYPHER)
        loader.flush()
        written = _fill_sidecar(store, settings, src, manifest)
    store.run(load_query("state_bump"))  # servers on this graph reload their indexes
    log_copied = _copy_change_log(settings, src, manifest)
    counts = graph_counts(store)
    diff = count_diff(manifest["aantallen"], counts)
    index = rebuild_derived(store, settings) if reindex else None
    return {"map": str(src), "formaat": formaat, "doel": store.backend, "aantallen": counts, "verschil": diff,
            "gelijk": not diff, "vectoren": written, "index": index, "wijzigingslog": log_copied}


def _copy_change_log(settings: Settings, src: Path, manifest: dict[str, Any]) -> bool:
    target = change_log_path(settings)
    if CHANGE_LOG not in manifest["bestanden"] or target.exists():
        return False
    private_dir(target.parent)
    shutil.copyfile(src / CHANGE_LOG, target)
    os.chmod(target, 0o600)
    return True


# -- migrate ---------------------------------------------------------------------------------------

def target_settings(settings: Settings, target: str) -> Settings:
    """The settings of a migration target: ``bolt://…``/``neo4j://…`` (same user and password settings) or
    the path of another data dir (embedded)."""
    target = target.strip()
    if "://" in target:
        update: dict[str, Any] = {"graph_uri": target}
    else:
        path = Path(target).expanduser().resolve()
        if path == settings.data_dir.expanduser().resolve() and settings.embedded:
            raise BadInput(f"{target} is de huidige data-map; migreer naar een andere map of naar bolt://…")
        update = {"data_dir": path, "graph_uri": None}
    try:
        return Settings(**{**settings.model_dump(), **update})
    except ValidationError as exc:
        raise BadInput(f"--naar {target}: {exc.errors()[0]['msg']}") from None


def migrate(store: GraphStore, settings: Settings, target: str, *, progress: bool = False) -> dict[str, Any]:
    """Export the current graph, import it into ``target`` (empty), and compare counts per label and
    relationship type on both sides; ``gelijk`` False with the differences when they differ."""
    dest = target_settings(settings, target)
    if not settings.embedded and not dest.embedded and dest.graph_uri == settings.graph_uri:
        raise BadInput(f"--naar {target} is de huidige graaf")
    source = graph_counts(store)
    work = private_dir(settings.data_dir) if settings.embedded else None
    with tempfile.TemporaryDirectory(prefix=".migrate-", dir=work) as tmp:
        folder = Path(tmp) / "export"
        export(store, settings, folder, "jsonl", progress=progress)
        try:
            target_store = open_store(dest)
        except CasusgraafError as exc:
            raise type(exc)(f"doel {target} is niet bereikbaar: {exc}") from None
        with target_store:
            loaded = import_export(target_store, dest, folder, progress=progress, reindex=dest.embedded)
            counts = graph_counts(target_store)
    diff = count_diff(source, counts)
    return {"bron": store.backend, "doel": _safe_target(target), "bron_aantallen": source, "doel_aantallen": counts,
            "verschil": diff, "gelijk": not diff, "vectoren": loaded["vectoren"]}


def _safe_target(target: str) -> str:
    return re.sub(r"//[^/@]*@", "//", target)  # never echo a password written into the URI


# -- backup / restore (embedded engine) ------------------------------------------------------------

_SKIP_NAMES = {".lock", "server.lock", "falkordb.sock", "redis.pid"}


def _embedded_only(settings: Settings, what: str) -> None:
    if not settings.embedded:
        raise Refused(f"`casusgraaf {what}` is voor de ingebouwde graaf; voor Neo4j: neo4j-admin database "
                      f"dump/load (zie docs/OPERATIONS.md)")


def _data_files(data_dir: Path) -> Iterator[Path]:
    """Every regular file of the data dir except the graph server's own folder (the snapshot replaces it),
    locks, sockets, temp files and migration/restore work folders."""
    for root, dirs, files in os.walk(data_dir):
        rel = Path(root).relative_to(data_dir)
        if rel == Path("."):
            dirs[:] = [d for d in dirs if d != "graph" and not d.startswith((".migrate-", ".restore-"))]
        for name in files:
            path = Path(root) / name
            if name in _SKIP_NAMES or name.endswith((".tmp", ".lock")):
                continue
            try:
                if not stat.S_ISREG(path.lstat().st_mode):
                    continue
            except OSError:
                continue
            yield path


def _copy_hashed(src: Path, dest: Path) -> dict[str, Any]:
    private_dir(dest.parent)
    h = hashlib.sha256()
    fd = os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with open(src, "rb") as fin, open(fd, "wb") as fout:
        for block in iter(lambda: fin.read(1 << 20), b""):
            h.update(block)
            fout.write(block)
        fout.flush()
        os.fsync(fout.fileno())
    return {"sha256": h.hexdigest(), "bytes": dest.stat().st_size}


def backup(store: GraphStore, settings: Settings, out: Path) -> dict[str, Any]:
    """A consistent backup of the embedded data dir while it serves: the graph as one RDB snapshot (BGSAVE),
    the indexes (under their lock, so no writer is half-way), quarantine, leerpunt log and every other file;
    ``manifest.json`` with sha256 per file is written last (a folder without it is no backup)."""
    _embedded_only(settings, "backup")
    data = settings.data_dir.expanduser().resolve()
    target = out.expanduser().resolve()
    if target == data or data in target.parents or target in data.parents:
        raise BadInput(f"{out}: de backup moet buiten de data-map {data} staan (en die niet bevatten)")
    target = _new_dir(target, "backup")
    files: dict[str, Any] = {}
    # Graph first, then the files: the vector sidecar only grows, so it holds every row the snapshot names; the
    # index lock and the sidecar lock keep their writers out while we copy (graph writes go on meanwhile).
    with Indexes(settings).locked(), exclusive_lock(private_dir(vectors_dir(settings)) / ".lock"):
        before = graph_counts(store)
        server.snapshot(settings, target / "graph" / server.RDB)
        after = graph_counts(store)
        files["graph/" + server.RDB] = {"sha256": _sha256(target / "graph" / server.RDB),
                                        "bytes": (target / "graph" / server.RDB).stat().st_size}
        for path in _data_files(data):
            rel = path.relative_to(data).as_posix()
            try:
                files[rel] = _copy_hashed(path, target / rel)
            except FileNotFoundError:  # removed while we walked (a quarantine entry released)
                continue
    manifest = {"soort": "casusgraaf-backup", "versie": VERSION,
                "gemaakt_op": datetime.now(UTC).isoformat(timespec="seconds"), "data_dir": str(data),
                "graaf": settings.graph_name, "aantallen": before if before == after else None,
                "bestanden": dict(sorted(files.items()))}
    if before != after:
        manifest["opmerking"] = "de graaf veranderde tijdens de backup: de momentopname zelf is consistent"
    write_private(target / MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=2) + "\n")
    return {**manifest, "map": str(target)}


def _refuse_running(settings: Settings) -> None:
    if not (settings.graph_dir / server.CLIENTS).exists() and not (settings.graph_dir / server.PIDFILE).exists():
        return
    status = server.server_status(settings)
    if status["running"] or status["leases"]:
        who = f" (processen {status['leases']})" if status["leases"] else ""
        raise Refused(f"op {settings.data_dir} draait een graafserver (pid {status['pid']}){who}; stop "
                      "`casusgraaf serve` en andere casusgraaf-processen op deze data-map en herstel dan opnieuw")


def restore(settings: Settings, src: Path) -> dict[str, Any]:
    """Restore a backup into the configured data dir. Refuses while a server runs on it; verifies every
    checksum; builds the new data dir beside it and swaps only when it is complete and its counts match. The
    old data dir stays, renamed to ``<naam>.voor-restore-<tijd>``."""
    _embedded_only(settings, "restore")
    src = src.expanduser().resolve()
    manifest = read_manifest(src, "casusgraaf-backup")
    verify_files(src, manifest["bestanden"])
    target = settings.data_dir.expanduser().resolve()
    if target == src or src in target.parents or target in src.parents:
        raise BadInput(f"{src}: herstel niet in de backupmap zelf; kies een andere CASUSGRAAF_DATA_DIR")
    _refuse_running(settings)
    work = target.parent / f".{target.name}.restore-{secrets.token_hex(4)}"
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        for rel, want in manifest["bestanden"].items():
            if not (work / rel).resolve().is_relative_to(work.resolve()):
                raise BadInput(f"{src / MANIFEST}: bestandsnaam {rel[:60]!r} wijst buiten de data-map")
            got = _copy_hashed(src / rel, work / rel)
            if got["sha256"] != want["sha256"]:
                raise BadInput(f"{src / rel}: controlegetal klopt niet tijdens het kopiëren; de backup verandert")
        private_dir(work)
        kept_audit = _keep_audit(target, work)
        new = Settings(**{**settings.model_dump(), "data_dir": work})
        server.load_snapshot(new)
        with open_store(new) as st:
            counts = graph_counts(st)
            projection = sync_projection(st, new)  # rebuilt under the install key the restored dir now has
        expected = manifest.get("aantallen")
        if expected is not None and count_diff(expected, counts):
            raise BadInput(f"{src}: de herstelde graaf wijkt af van de backup: " + "; ".join(count_diff(expected, counts)))
        _refuse_running(settings)
        old = None
        if target.exists():
            old = target.parent / f"{target.name}.voor-restore-{datetime.now(UTC).strftime('%Y%m%dT%H%M%S')}"
            target.rename(old)
        work.rename(target)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return {"hersteld": str(target), "oud": str(old) if old else None, "aantallen": counts,
            "bestanden": len(manifest["bestanden"]), "backup": str(src), "audit_behouden": kept_audit,
            "projectie": projection}


def _keep_audit(target: Path, work: Path) -> bool:
    """A restore never rolls the audit trail back: the current ``audit/`` (log, head, install key) replaces the
    backup's copy, so who did what after the backup stays on record."""
    current = target / "audit"
    if not current.is_dir():
        return False
    shutil.rmtree(work / "audit", ignore_errors=True)
    shutil.copytree(current, work / "audit", copy_function=shutil.copy2)
    return True


__all__ = ["FORMATS", "backup", "case_records", "count_diff", "cypher_literal", "export", "graph_counts",
           "import_export", "migrate", "neo4j_admin_command", "read_manifest", "restore", "target_settings",
           "verify_files"]
