"""dbt_loss.report and `dbt-loss report`: an offline HTML page and PNG images whose chart data
are aggregates computed in the warehouse. The page is opened in headless Chromium (no console
message, one rendered SVG per chart); the PNGs are decoded; and the numbers the charts show are
recomputed here with numpy and pandas from the exported rows (the test may export rows; the
report does not), with predictions computed in numpy from the runs' weights."""

from __future__ import annotations

import json
import re
import shutil
import struct
import subprocess
import zlib
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from sqlglot import exp
from typer.testing import CliRunner

import dbt_loss
from dbt_loss.cli import app
from dbt_loss.training.engine import engine_for
from dbt_loss.training.run_tables import RunTables
from dbt_loss.training.trainer import relation_expression, validation_rows
from support import postgres
from support.engines import selected as selected_engines

FEATURES = ["x0", "x1", "x2"]
EPS = 2.220446049250313e-16
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# The plots each run gets by default, in the order the page shows them.
EXPECTED = {
    "regression": ["loss_curve", "residual_histogram", "residual_vs_prediction"],
    "classifier": ["loss_curve", "calibration", "loss_by_decile"],
    "grouped": ["loss_curve", "residual_histogram", "residual_vs_prediction", "loss_by_group"],
    "softmax": ["loss_curve", "calibration", "loss_by_decile"],
}


def pytest_generate_tests(metafunc):
    """The SQL aggregates are checked on every engine of --engines; what does not depend on
    the engine (the page in Chromium, run lookup, argument checks) on DuckDB only."""
    if "engine" in metafunc.fixturenames:
        engines = selected_engines(metafunc.config)
        if metafunc.definition.get_closest_marker("engine_independent"):
            engines = ["duckdb"]
        metafunc.parametrize("engine", engines, scope="module")


def frame(n: int = 800, seed: int = 11) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    data = pd.DataFrame(rng.normal(size=(n, 3)), columns=FEATURES)
    data["y"] = data[FEATURES].to_numpy() @ [1.0, -2.0, 0.5] + 3 + rng.standard_t(3, n)
    logit = data.x0 - data.x1 + 0.3
    data["label"] = (rng.uniform(size=n) < 1 / (1 + np.exp(-logit))).astype(int)
    data["region"] = rng.choice(["north", "south", "east"], n)
    scores = np.column_stack([np.zeros(n), data.x0, -data.x1])
    probabilities = np.exp(scores) / np.exp(scores).sum(1, keepdims=True)
    data["plan"] = [rng.choice(3, p=p) for p in probabilities]
    return data


class Warehouse:
    """The data and four trained runs on one engine: DuckDB (a file, so the CLI can open it)
    or the PostgreSQL server the suite was pointed at."""

    def __init__(self, engine: str, directory: Path):
        self.engine = engine
        self.data = frame()
        self.schema = "report_runs"
        if engine == "duckdb":
            self.path = directory / "warehouse.duckdb"
            self.relation = "data"
            with duckdb.connect(str(self.path)) as connection:
                connection.register("frame", self.data)
                connection.execute("create table data as select * from frame")
        else:
            postgres.write_tables({"data": self.data}, schema="report_tests")
            self.relation = "report_tests.data"
        with self.connect() as connection:
            train = {"schema": self.schema}
            self.runs = {
                "regression": dbt_loss.train(
                    connection, self.relation, target="y", features=FEATURES, model="linear",
                    loss="huber", delta=1.0, validation_fraction=0.25, run_name="regression",
                    **train,
                ),
                "classifier": dbt_loss.train(
                    connection, self.relation, target="label", features=FEATURES,
                    model="logistic", validation_fraction=0.25, run_name="classifier", **train,
                ),
                "grouped": dbt_loss.train(
                    connection, self.relation, target="y", features=["x0", "x1"],
                    model="linear", group_by=["region"], validation_fraction=0.2,
                    run_name="grouped", **train,
                ),
                "softmax": dbt_loss.train(
                    connection, self.relation, target="plan", features=["x0", "x1"],
                    model="softmax", run_name="softmax", **train,
                ),
            }  # fmt: skip
        assert {r.status for r in self.runs.values()} == {"succeeded"}

    def connect(self):
        if self.engine == "duckdb":
            return duckdb.connect(str(self.path))
        return postgres.connect()

    def rows(self, run: str) -> pd.DataFrame:
        """Every row of the relation, with `validation`: the trainer's own split predicate."""
        trained = self.runs[run]
        with self.connect() as connection:
            engine = engine_for(connection)
            split = validation_rows(engine, trained.features, self.target(run), self.fraction(run))
            flag = split if split is not None else exp.false()
            query = exp.select(exp.Star(), exp.alias_(flag, "validation", quoted=True)).from_(
                relation_expression(self.relation)
            )
            cursor = connection.execute(engine.render(query))
            names = [c[0] for c in cursor.description]
            return pd.DataFrame.from_records(cursor.fetchall(), columns=names)

    @staticmethod
    def target(run: str) -> str:
        return {"regression": "y", "classifier": "label", "grouped": "y", "softmax": "plan"}[run]

    @staticmethod
    def fraction(run: str) -> float:
        return {"regression": 0.25, "classifier": 0.25, "grouped": 0.2, "softmax": 0.0}[run]


@pytest.fixture(scope="module")
def warehouse(engine, tmp_path_factory) -> Warehouse:
    return Warehouse(engine, tmp_path_factory.mktemp(f"report_{engine}"))


@pytest.fixture(scope="module")
def written(warehouse, tmp_path_factory) -> list[Path]:
    output = tmp_path_factory.mktemp(f"written_{warehouse.engine}") / "report"
    with warehouse.connect() as connection:
        return dbt_loss.report(
            connection,
            [run.run_id for run in warehouse.runs.values()],
            schema=warehouse.schema,
            output=output,
        )


def page_data(html: str) -> dict[tuple[str, str], list[list[dict]]]:
    """(run id, plot) → the data sets of the chart the page draws, in spec order."""
    specs = json.loads(
        re.search(
            r'<script type="application/json" id="dbt-loss-specs">(.*?)</script>', html, re.S
        ).group(1)
    )
    charts = {}
    for chart_id, run_id, plot in re.findall(
        r'<div class="chart" id="([^"]+)" data-run="([^"]+)" data-plot="([^"]+)">', html
    ):
        spec = specs[chart_id]
        charts[run_id, plot] = list(spec.get("datasets", {}).values())
    return charts


def chart_rows(warehouse, written, run: str, plot: str, *keys: str) -> pd.DataFrame:
    """The data set of a chart that has all `keys` among its columns."""
    sets = page_data(written[0].read_text())[warehouse.runs[run].run_id, plot]
    (rows,) = [rows for rows in sets if rows and set(keys) <= set(rows[0])]
    return pd.DataFrame(rows)


# --- numpy from the runs' weights --------------------------------------------------------


def linear(weights: dict, rows: pd.DataFrame, features) -> np.ndarray:
    return weights["intercept"] + sum(weights[f] * rows[f].to_numpy(float) for f in features)


def regression_predictions(warehouse, run: str, rows: pd.DataFrame) -> np.ndarray:
    trained = warehouse.runs[run]
    if not trained.group_by:
        return linear(trained.weights, rows, trained.features)
    prediction = np.full(len(rows), np.nan)
    for group, weights in trained.weights.items():
        mask = (rows[trained.group_by[0]] == group).to_numpy()
        prediction[mask] = linear(weights, rows[mask], trained.features)
    return prediction


def softmax_probabilities(warehouse, rows: pd.DataFrame) -> tuple[np.ndarray, list]:
    trained = warehouse.runs["softmax"]
    etas = np.column_stack(
        [linear(trained.weights[c], rows, trained.features) for c in trained.classes]
    )
    etas -= etas.max(1, keepdims=True)
    return np.exp(etas) / np.exp(etas).sum(1, keepdims=True), trained.classes


def evaluation(rows: pd.DataFrame, run: str) -> pd.DataFrame:
    """The rows the residual and calibration plots use: validation rows, if there is a split."""
    return rows[rows["validation"]] if Warehouse.fraction(run) else rows


# --- the page, the images, the browser ---------------------------------------------------


def test_writes_a_page_and_one_png_per_chart(warehouse, written):
    html, images = written[0], written[1:]
    assert html.name == "report.html" and html.parent.name == "report"
    expected = [
        f"{warehouse.runs[run].run_id}-{plot}.png"
        for run, plots in EXPECTED.items()
        for plot in plots
    ]
    assert [p.name for p in images] == expected
    assert sorted(p.name for p in html.parent.iterdir()) == sorted(["report.html", *expected])
    charts = page_data(html.read_text())
    assert list(charts) == [(warehouse.runs[r].run_id, p) for r, ps in EXPECTED.items() for p in ps]
    for image in images:
        width, height = png_size(image.read_bytes())
        assert width > 400 and height > 200, image


def png_size(data: bytes) -> tuple[int, int]:
    """Checks the PNG structure (signature, IHDR first, every chunk's CRC, IEND last) and
    decodes it with Pillow where it is installed; returns (width, height)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    offset, kinds = 8, []
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        kind = data[offset + 4 : offset + 8]
        body = data[offset + 8 : offset + 8 + length]
        (crc,) = struct.unpack(">I", data[offset + 8 + length : offset + 12 + length])
        assert zlib.crc32(kind + body) == crc, kind
        kinds.append(kind)
        offset += 12 + length
    assert kinds[0] == b"IHDR" and kinds[-1] == b"IEND" and b"IDAT" in kinds
    width, height = struct.unpack(">II", data[16:24])
    try:
        from io import BytesIO

        from PIL import Image
    except ImportError:
        return width, height
    with Image.open(BytesIO(data)) as image:
        image.load()
        assert image.size == (width, height)
    return width, height


class Tags(HTMLParser):
    """Every tag of a page with its attributes; script bodies are text to the parser, so the
    inlined libraries' strings do not count as markup."""

    def __init__(self, html: str):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def test_the_page_loads_nothing_from_the_network(written):
    html = written[0].read_text()
    tags = Tags(html).tags
    scripts = [attributes for tag, attributes in tags if tag == "script"]
    assert len(scripts) == 3 and not any("src" in a for a in scripts)  # libraries, specs, embed
    assert not [t for t, a in tags if t in ("link", "img", "iframe", "embed", "object", "source")]
    assert "vegaEmbed" in html
    links = [a["href"] for t, a in tags if t == "a"]
    assert len(links) == len(written) - 1  # the only links: the PNGs beside the page
    for link in links:
        assert not re.match(r"[a-z]+:", link) and (written[0].parent / link).is_file()


def chromium(page: Path, profile: Path) -> tuple[str, list[str]]:
    """Opens the page in headless Chromium until its scripts have settled; returns the DOM
    and every console message (errors, warnings, logs, uncaught exceptions). Any network
    request fails: every host name resolves to nothing."""
    assert CHROMIUM, "Chromium is not installed: `make browser` installs Debian's package"
    result = subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            "--host-resolver-rules=MAP * ~NOTFOUND",
            "--enable-logging=stderr",
            "--v=0",
            "--virtual-time-budget=20000",
            "--dump-dom",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    console = [line for line in result.stderr.splitlines() if ":CONSOLE" in line]
    return result.stdout, console


@pytest.mark.engine_independent
def test_the_page_renders_every_chart_in_chromium_without_console_messages(
    engine, written, tmp_path
):
    # the capture works: a page that logs an error and throws has both reported
    control = tmp_path / "control.html"
    control.write_text(
        "<!DOCTYPE html><html><body><script>console.error('dbt-loss control');"
        "setTimeout(() => { throw new Error('dbt-loss thrown'); }, 10);</script></body></html>"
    )
    _, console = chromium(control, tmp_path / "control_profile")
    assert any("dbt-loss control" in line for line in console), console
    assert any("dbt-loss thrown" in line for line in console), console

    dom, console = chromium(written[0], tmp_path / "profile")
    assert console == []
    rendered = re.findall(r'<svg[^>]*class="marks"', dom)
    assert len(rendered) == len(written) - 1 == sum(len(p) for p in EXPECTED.values())
    assert "did not render:" not in dom.split("<script>")[0]


# --- the numbers the charts show, against numpy and pandas --------------------------------


@pytest.mark.parametrize("run", ["regression", "grouped"])
def test_residual_histogram_counts_equal_numpy(warehouse, written, run):
    rows = warehouse.rows(run)
    rows["prediction"] = regression_predictions(warehouse, run, rows)
    rows = evaluation(rows, run)
    residual = (rows["prediction"] - rows["y"]).to_numpy()
    counts, edges = np.histogram(residual, bins=30, range=(residual.min(), residual.max()))
    shown = chart_rows(warehouse, written, run, "residual_histogram", "start", "count")
    assert shown["count"].tolist() == counts.tolist()
    np.testing.assert_allclose(shown["start"], edges[:-1], rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(shown["end"], edges[1:], rtol=1e-9, atol=1e-12)

    # the binned scatter: rows per (prediction, residual) cell, mean residual per column
    prediction = rows["prediction"].to_numpy()
    cells, p_edges, _ = np.histogram2d(
        prediction,
        residual,
        bins=[20, 30],
        range=[[prediction.min(), prediction.max()], [residual.min(), residual.max()]],
    )
    heatmap = chart_rows(
        warehouse, written, run, "residual_vs_prediction", "residual_start", "count"
    )
    assert heatmap["count"].sum() == len(rows) and sorted(heatmap["count"]) == sorted(
        cells[cells > 0].astype(int).tolist()
    )
    column = np.minimum(((prediction - prediction.min()) / np.ptp(prediction) * 20).astype(int), 19)
    means = pd.Series(residual).groupby(column).mean()
    shown = chart_rows(warehouse, written, run, "residual_vs_prediction", "mean_residual")
    np.testing.assert_allclose(shown["mean_residual"], means.to_numpy(), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(
        shown["prediction_start"], p_edges[means.index.to_numpy()], rtol=1e-9, atol=1e-12
    )


def classifier_rows(warehouse, run: str) -> pd.DataFrame:
    """Score, outcome and per-row loss on the evaluation rows, in numpy: P(y = 1), y and the
    clipped log loss; or the top-class probability, whether the top class is right and
    −ln p_y."""
    rows = warehouse.rows(run)
    if run == "classifier":
        trained = warehouse.runs[run]
        p = 1 / (1 + np.exp(-linear(trained.weights, rows, trained.features)))
        y = rows["label"].to_numpy(float)
        clipped = np.clip(p, EPS, 1 - EPS)
        loss = -(y * np.log(clipped) + (1 - y) * np.log(1 - clipped))
        scored = pd.DataFrame({"score": p, "outcome": y, "loss": loss})
    else:
        probabilities, classes = softmax_probabilities(warehouse, rows)
        truth = np.array([classes.index(c) for c in rows["plan"]])
        p_true = probabilities[np.arange(len(rows)), truth]
        scored = pd.DataFrame(
            {
                "score": probabilities.max(1),
                "outcome": (probabilities.argmax(1) == truth).astype(float),
                "loss": -np.log(np.clip(p_true, EPS, 1 - EPS)),
            }
        )
    scored["validation"] = rows["validation"].to_numpy()
    return evaluation(scored, run)


@pytest.mark.parametrize("run", ["classifier", "softmax"])
def test_calibration_bins_equal_numpy(warehouse, written, run):
    scored = classifier_rows(warehouse, run)
    bins = np.minimum(np.floor(scored["score"].to_numpy() * 10), 9).astype(int)
    expected = scored.groupby(bins).agg(
        count=("score", "size"), mean_score=("score", "mean"), observed=("outcome", "mean")
    )
    shown = chart_rows(warehouse, written, run, "calibration", "mean_score", "observed")
    assert shown["start"].tolist() == pytest.approx((expected.index / 10).tolist())
    assert shown["count"].tolist() == expected["count"].tolist()
    np.testing.assert_allclose(shown["mean_score"], expected["mean_score"], rtol=1e-9)
    np.testing.assert_allclose(shown["observed"], expected["observed"], rtol=1e-12)


@pytest.mark.parametrize("run", ["classifier", "softmax"])
def test_decile_losses_equal_pandas_qcut(warehouse, written, run):
    scored = classifier_rows(warehouse, run)
    deciles = pd.qcut(scored["score"], 10, labels=False, duplicates="drop")
    expected = scored.groupby(deciles).agg(
        count=("loss", "size"),
        loss=("loss", "mean"),
        min_score=("score", "min"),
        max_score=("score", "max"),
    )
    shown = chart_rows(warehouse, written, run, "loss_by_decile", "decile", "loss")
    assert shown["decile"].tolist() == (expected.index + 1).tolist()
    assert shown["count"].tolist() == expected["count"].tolist()
    np.testing.assert_allclose(shown["loss"], expected["loss"], rtol=1e-9)
    np.testing.assert_allclose(shown["min_score"], expected["min_score"], rtol=1e-9)
    np.testing.assert_allclose(shown["max_score"], expected["max_score"], rtol=1e-9)


def test_loss_by_group_equals_pandas_and_the_runs_training_loss(warehouse, written):
    rows = warehouse.rows("grouped")
    rows["loss"] = (regression_predictions(warehouse, "grouped", rows) - rows["y"]) ** 2
    rows["split"] = np.where(rows["validation"], "validation", "training")
    expected = rows.groupby(["region", "split"]).agg(count=("loss", "size"), loss=("loss", "mean"))
    shown = chart_rows(warehouse, written, "grouped", "loss_by_group", "group", "split", "loss")
    shown = shown.set_index(["group", "split"]).sort_index()
    assert shown.index.tolist() == expected.index.tolist()
    assert shown["count"].tolist() == expected["count"].tolist()
    np.testing.assert_allclose(shown["loss"], expected["loss"], rtol=1e-9)
    # over all groups, the training rows' mean is the run's own training loss (mse)
    training = shown.xs("training", level="split")
    overall = (training["loss"] * training["count"]).sum() / training["count"].sum()
    assert overall == pytest.approx(warehouse.runs["grouped"].train_loss, rel=1e-9)


def test_loss_curves_are_the_training_history(warehouse, written):
    for run in EXPECTED:
        trained = warehouse.runs[run]
        with warehouse.connect() as connection:
            cursor = connection.execute(
                "select iteration, train_loss, validation_loss from report_runs.training_history"
                f" where run_id = '{trained.run_id}' order by iteration"
            )
            history = cursor.fetchall()
        shown = chart_rows(warehouse, written, run, "loss_curve", "iteration", "split", "loss")
        training = shown[shown["split"] == "training"]
        assert training["iteration"].tolist() == [h[0] for h in history]
        assert training["loss"].tolist() == [h[1] for h in history]
        validation = shown[shown["split"] == "validation"]
        assert validation["loss"].tolist() == [h[2] for h in history if h[2] is not None]
        assert (len(validation) > 0) == bool(Warehouse.fraction(run))


@pytest.mark.engine_independent
def test_runs_by_object_id_or_name_once_each(engine, warehouse, tmp_path):
    """A TrainingRun brings its schema; a run named twice (by id and by name) is shown once."""
    classifier = warehouse.runs["classifier"]
    with warehouse.connect() as connection:
        paths = dbt_loss.report(
            connection,
            [classifier, "classifier", classifier.run_id],
            output=tmp_path / "objects",
            plots="calibration",
        )
    assert [p.name for p in paths] == ["report.html", f"{classifier.run_id}-calibration.png"]


# --- bad input ---------------------------------------------------------------------------


def report_into(warehouse, output: Path, runs, **options):
    with warehouse.connect() as connection:
        return dbt_loss.report(connection, runs, schema=warehouse.schema, output=output, **options)


@pytest.mark.engine_independent
def test_bad_input_names_the_argument_and_writes_nothing(engine, warehouse, tmp_path):
    output = tmp_path / "report"
    regression = warehouse.runs["regression"].run_id
    cases = [
        ([], {}, r"argument 'runs' must name at least one run"),
        (["no_such_run"], {}, r"argument 'runs' names an unknown run 'no_such_run'"),
        ([regression], {"plots": ["calibration"]}, r"'plots' asks for 'calibration'.*linear"),
        ([regression], {"plots": ["loss_by_group"]}, r"'loss_by_group'.*without group_by"),
        ([regression], {"plots": ["histogram"]}, r"'plots' has unknown plot\(s\) 'histogram'"),
        ([regression], {"plots": []}, r"argument 'plots' must be None"),
    ]
    for runs, options, message in cases:
        with pytest.raises(dbt_loss.ReportError, match=message):
            report_into(warehouse, output, runs, **options)
    with pytest.raises(dbt_loss.UnknownRunError, match="no_such_run"):
        report_into(warehouse, output, [regression, "no_such_run"])
    with pytest.raises(dbt_loss.ReportError, match="no run tables"):
        with warehouse.connect() as connection:
            dbt_loss.report(connection, [regression], schema="nowhere", output=output)
    a_file = tmp_path / "a_file"
    a_file.write_text("")
    with pytest.raises(dbt_loss.ReportError, match="argument 'output' must be a directory"):
        report_into(warehouse, a_file, [regression])
    assert not output.exists()


@pytest.mark.engine_independent
def test_a_failed_run_a_run_without_weights_and_a_failing_query_write_nothing(
    engine, warehouse, tmp_path
):
    output = tmp_path / "report"
    with warehouse.connect() as connection:
        tables = RunTables(engine_for(connection), warehouse.schema)
        for run_id in ("failed_run", "started_run"):
            tables.start(
                {
                    "run_id": run_id,
                    "model": "linear",
                    "loss": "mse",
                    "options": "{}",
                    "relation": '"data"',
                    "target": "y",
                    "features": '["x0"]',
                    "group_by": "[]",
                    "classes": "[]",
                }
            )
        tables.finish("failed_run", "failed", {"message": "diverged: on purpose"}, None)
        # a run whose relation is gone: resolved, then its first query fails
        connection.execute("create table doomed as select * from data")
        doomed = dbt_loss.train(
            connection, "doomed", target="y", features=["x0"], model="linear",
            schema=warehouse.schema,
        )  # fmt: skip
        connection.execute("drop table doomed")
    with pytest.raises(dbt_loss.ReportError, match=r"'failed_run', which failed \(diverged: on"):
        report_into(warehouse, output, ["failed_run"])
    with pytest.raises(dbt_loss.ReportError, match=r"'started_run' \(running\).*no weights"):
        report_into(warehouse, output, ["started_run"])
    with pytest.raises(duckdb.CatalogException, match="doomed"):
        report_into(warehouse, output, [warehouse.runs["regression"].run_id, doomed.run_id])
    assert not output.exists()


@pytest.mark.engine_independent
def test_a_relation_emptied_since_training_gives_empty_charts(engine, warehouse, tmp_path):
    """Only the report's queries read the relation: with no rows left, every chart is empty
    and still renders; a run trained on a query (a subquery relation) is read back too."""
    with warehouse.connect() as connection:
        connection.execute("create table shrinking as select * from data")
        grouped = dbt_loss.train(
            connection, "shrinking", target="y", features=["x0"], model="linear",
            group_by=["region"], validation_fraction=0.2, schema=warehouse.schema,
        )  # fmt: skip
        query = exp.select("*").from_("shrinking").where("label = 1").subquery("positives")
        classifier = dbt_loss.train(
            connection, query, target="label", features=["x0"], model="logistic", l2=1.0,
            schema=warehouse.schema,
        )  # fmt: skip
        connection.execute("delete from shrinking")
        paths = dbt_loss.report(
            connection, [grouped, classifier], schema=warehouse.schema, output=tmp_path / "r"
        )
    assert len(paths) == 1 + len(EXPECTED["grouped"]) + len(EXPECTED["classifier"])
    for image in paths[1:]:
        png_size(image.read_bytes())


# --- the command line --------------------------------------------------------------------


@pytest.mark.engine_independent
def test_cli_writes_the_report_and_prints_its_paths(engine, warehouse, tmp_path):
    runner = CliRunner()
    database = ["--database", str(warehouse.path), "--schema", warehouse.schema]
    output = tmp_path / "cli_report"
    result = runner.invoke(
        app,
        ["report", "classifier", *database, "--output", str(output), "--plot", "calibration",
         "--plot", "loss_by_decile", "--json"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    written = json.loads(result.stdout)
    run_id = warehouse.runs["classifier"].run_id
    assert written == {
        "html": str(output / "report.html"),
        "images": [str(output / f"{run_id}-{p}.png") for p in ("calibration", "loss_by_decile")],
    }
    assert all(Path(p).is_file() for p in [written["html"], *written["images"]])

    result = runner.invoke(
        app, ["report", "classifier", *database, "--output", str(output), "--plot", "loss_curve"]
    )
    assert result.exit_code == 0, result.output
    assert f"wrote {output / 'report.html'} and 1 PNG image(s)" in result.stdout

    for arguments, message in [
        ([], "argument 'runs' must name at least one run"),
        (["no_such_run"], "unknown run 'no_such_run'"),
        (["regression", "--plot", "calibration"], "'plots' asks for 'calibration'"),
    ]:
        result = runner.invoke(app, ["report", *arguments, *database, "--output", str(tmp_path)])
        assert result.exit_code == 2, result.output
        assert message in " ".join(result.stderr.split()), result.stderr
        assert "(RUN)" in result.stderr or "(--plot)" in result.stderr, result.stderr
