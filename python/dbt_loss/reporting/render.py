"""Output: one HTML page that works offline (Vega, Vega-Lite and vega-embed inlined from
vl-convert's bundle; no CDN, no network), one PNG per chart (vl-convert), and a write that
leaves either the whole report or nothing: every file is made in memory first, then written
to a temporary directory and moved into place."""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import altair as alt
import vl_convert as vlc

PAGE = "report.html"


def vega_lite_version() -> str | None:
    """The Vega-Lite version Altair writes specs for (v6.4.1 → '6.4'), if vl-convert has it,
    so the page and the PNGs render with the library the specs were made for."""
    version = ".".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])
    return version if version in vlc.get_vegalite_versions() else None


def png(chart: alt.TopLevelMixin, scale: float = 2.0) -> bytes:
    return vlc.vegalite_to_png(chart.to_dict(), vl_version=vega_lite_version(), scale=scale)


@dataclass
class Figure:
    """One chart of the page: its spec, caption, the PNG file next to the page, and the run
    and plot it shows (data-run and data-plot attributes, for scripts reading the page)."""

    chart: alt.TopLevelMixin
    caption: str
    image: str
    run_id: str
    plot: str


@dataclass
class Section:
    """One run: a heading, a table of facts about it, and its figures."""

    title: str
    facts: list[tuple[str, str]]
    figures: list[Figure] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _script_json(value) -> str:
    """JSON that cannot end the <script> it sits in: <, > and & only occur inside JSON
    strings, where their \\u escapes mean the same."""
    text = json.dumps(value, allow_nan=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _bundle() -> str:
    """vega-embed, Vega-Lite and Vega as one script that sets window.vegaEmbed."""
    bundle = vlc.javascript_bundle(vl_version=vega_lite_version())
    return re.sub(r"</(script)", r"<\\/\1", bundle, flags=re.IGNORECASE)


STYLE = """
body { font: 14px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 1000px;
       color: #222; padding: 0 1rem; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.2rem; margin-top: 2.5rem;
     border-bottom: 1px solid #ddd; padding-bottom: .3rem; }
table.facts { border-collapse: collapse; margin: .5rem 0 1rem; }
table.facts th { text-align: left; font-weight: 600; padding: .1rem 1rem .1rem 0; }
table.facts td { font-family: ui-monospace, monospace; padding: .1rem 0; }
figure { margin: 1.5rem 0; } figcaption { color: #555; font-size: 12px; }
.note { color: #555; }
"""

EMBED = """
const specs = JSON.parse(document.getElementById("dbt-loss-specs").textContent);
for (const [id, spec] of Object.entries(specs)) {
  vegaEmbed("#" + id, spec, {renderer: "svg", actions: false}).catch((error) => {
    console.error("dbt_loss report: chart " + id + " did not render:", error);
    document.getElementById(id).textContent = "This chart did not render: " + error;
  });
}
"""


def page(title: str, intro: str, sections: list[Section]) -> str:
    """The HTML report: every chart's spec in one JSON block, drawn by vega-embed as SVG."""
    specs, body = {}, []
    for index, section in enumerate(sections):
        body.append(f"<section><h2>{html.escape(section.title)}</h2>")
        body.append('<table class="facts">')
        for name, value in section.facts:
            body.append(f"<tr><th>{html.escape(name)}</th><td>{html.escape(value)}</td></tr>")
        body.append("</table>")
        for note in section.notes:
            body.append(f'<p class="note">{html.escape(note)}</p>')
        for number, figure in enumerate(section.figures):
            chart_id = f"chart-{index}-{number}"
            specs[chart_id] = figure.chart.to_dict()
            body.append(
                f'<figure><div class="chart" id="{chart_id}" '
                f'data-run="{html.escape(figure.run_id)}" data-plot="{html.escape(figure.plot)}">'
                "</div><figcaption>"
                f"{html.escape(figure.caption)} "
                f'(<a href="{html.escape(figure.image)}">PNG</a>)</figcaption></figure>'
            )
        body.append("</section>")
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en">',
            "<head>",
            '<meta charset="utf-8">',
            f"<title>{html.escape(title)}</title>",
            f"<style>{STYLE}</style>",
            f"<script>{_bundle()}</script>",
            "</head>",
            "<body>",
            f"<h1>{html.escape(title)}</h1>",
            f"<p>{html.escape(intro)}</p>",
            *body,
            f'<script type="application/json" id="dbt-loss-specs">{_script_json(specs)}</script>',
            f"<script>{EMBED}</script>",
            "</body>",
            "</html>",
            "",
        ]
    )


def write(output: Path, files: dict[str, bytes | str]) -> list[Path]:
    """Writes the files into `output` (created if missing) all or nothing: into a temporary
    directory beside it first, then each moved in (a rename, atomic). A file of the same name
    is replaced. Returns the paths written, in the order given."""
    output.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".dbt-loss-report.", dir=output))
    try:
        for name, content in files.items():
            target = staging / name
            if isinstance(content, str):
                target.write_text(content, encoding="utf-8")
            else:
                target.write_bytes(content)
        for name in files:
            os.replace(staging / name, output / name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return [output / name for name in files]
