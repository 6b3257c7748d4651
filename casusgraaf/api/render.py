"""Rendering of the pattern figures outside a request: the yearly report as self-contained HTML (inline
CSS and SVG, no CDN, printable) or Markdown. The page /cijfers/{jaar} and `casusgraaf rapport` share it."""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

WEB = Path(__file__).parent / "web"


def environment() -> Environment:
    env = Environment(loader=FileSystemLoader(WEB / "templates"), autoescape=select_autoescape(["html"]))
    env.globals["fmt"] = fmt
    return env


def fmt(v) -> str:
    """A published figure for display: suppressed strings as they are, floats in Dutch notation."""
    if v is None:
        return "–"
    if isinstance(v, bool):
        return "ja" if v else "nee"
    if isinstance(v, float):
        return f"{v:.3g}".replace(".", ",")
    return str(v)


def rapport_html(data: dict, *, standalone: bool = True) -> str:
    """The report as one HTML document; ``standalone`` inlines the CSS (for files and print)."""
    css = ""
    if standalone:
        css = (WEB / "static" / "style.css").read_text(encoding="utf-8") + "\n" + \
            (WEB / "static" / "patronen.css").read_text(encoding="utf-8")
    return environment().get_template("rapport_document.html").render(r=data, inline_css=css, csv=lambda _t: None)


def rapport_markdown(data: dict) -> str:
    """The report as Markdown (tables per block)."""
    lines = [f"# Casuïstiek in cijfers {data['jaar']}", "",
             f"Casussen: **{fmt(data['casussen'])}** · drempel kleine cellen: {data['drempel']} · "
             f"bronnen: {', '.join(data['selectie']['bronnen'])}", ""]

    def block(title: str, counts: dict, col: str = "casussen") -> None:
        lines.extend([f"## {title}", "", f"| | {col} |", "|---|---|"])
        lines.extend(f"| {k} | {fmt(v)} |" for k, v in counts.items())
        lines.append("")

    block("Indieners", data["indieners"])
    block("Beleidsterreinen", data["beleidsterreinen"])
    block("Leefgebieden", data["leefgebieden"])
    block("Aantal leefgebieden per casus", data["aantal_leefgebieden"])
    block("Knelpuntcategorieën", data["knelpunten"])
    trend = data["knelpunten_trend"]
    jaren = [str(j) for j in trend["jaren"]]
    lines.extend(["## Knelpunten door de jaren", "", "| categorie | " + " | ".join(jaren) + " |",
                  "|---|" + "---|" * len(jaren)])
    for naam, cells in trend["reeksen"].items():
        row = [fmt(cells[j]["aantal"]) + ("*" if cells[j]["afgeleid"] and cells[j]["aantal"] else "") for j in jaren]
        lines.append(f"| {naam} | " + " | ".join(row) + " |")
    lines.extend(["", "\\* afgeleid via de crosswalk", ""])
    block("Looptijd (weken)", data["looptijd_weken"], "waarde")
    block("Uitkomsten", data["uitkomsten"])
    lp = data["leerpunten"]
    lines.extend([f"## Leerpunten: {fmt(lp['totaal'])}", ""])
    block("Leerpunten per eigenaar", lp["per_eigenaar"], "leerpunten")
    block("Leerpunten per status", lp["per_status"], "leerpunten")
    lines.extend(["## Terugkerende combinaties", "", "| knelpunt | wet | organisatie | casussen | jaren | leerpunt |",
                  "|---|---|---|---|---|---|"])
    for c in data["terugkerend"]:
        lines.append(f"| {c['knelpunt']} | {c['wet']} | {c['organisatie'] or ''} | {fmt(c['aantal'])} | "
                     f"{c['eerste_jaar']}–{c['laatste_jaar']} | {fmt(c['leerpunt'])} |")
    lines.extend(["", data["toelichting"], ""])
    return "\n".join(lines)
