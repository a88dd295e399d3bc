"""ChainModel in Mesa's ecosystem: ``mesa.batch_run``, the researcher view on ``SolaraViz``, and the
examples (``examples/batch_run.py``, ``examples/chen_bullwhip.py``). docs/research.md walks through
the same code.
"""

from __future__ import annotations

import importlib.util
import multiprocessing
import os
import re
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import mesa
import numpy as np
import pandas as pd
import pytest

import chaingame as cg
from chaingame.engine import COLUMNS
from chaingame.model import ChainModel

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
PNG = b"\x89PNG\r\n\x1a\n"


def load_example(name: str):
    """Import ``examples/<name>.py`` as a module (it is a script, not part of the package)."""
    spec = importlib.util.spec_from_file_location(f"chaingame_example_{name}", EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def keep_start_method():
    """batch_run forces the process-wide multiprocessing start method to "spawn"; put it back."""
    before = multiprocessing.get_start_method(allow_none=True)
    yield
    multiprocessing.set_start_method(before, force=True)


# --- mesa.batch_run ---------------------------------------------------------------------------

# Mesa 3.5.1's DataCollector records the steps batch_run reports only when it has model reporters
# (datacollection.py, collect), so ChainModel's has one: chain_cost.
def test_batch_run_chain_model_gives_each_firms_last_week(keep_start_method):
    rows = mesa.batch_run(ChainModel, parameters={"scenario": ["classic", "stochastic"], "weeks": 20},
                          rng=[1, 2], max_steps=100, number_processes=1, data_collection_period=-1,
                          display_progress=False)
    df = pd.DataFrame(rows)
    assert len(df) == 2 * 2 * 4  # scenarios x seeds x firms
    assert {"RunId", "iteration", "Step", "scenario", "weeks", "seed", "firm", "role", *COLUMNS} <= set(df.columns)
    assert (df["Step"] == 20).all()  # the model stopped itself at its horizon, below max_steps
    for (name, seed), rows_ in df.groupby(["scenario", "seed"]):
        h = ChainModel(name, seed=seed, weeks=20).run().history()
        last = h[h.week == 20].set_index("firm")[list(COLUMNS)]
        mine = rows_.set_index("firm").loc[last.index, list(COLUMNS)].astype(float)
        np.testing.assert_allclose(mine.to_numpy(), last.to_numpy(), rtol=0, atol=1e-12)


def test_batch_run_totals_agree_with_simulate(keep_start_method):
    """Two paths: batch_run rows of the example's model and chaingame.simulate, same seeds and β."""
    ex = load_example("batch_run")
    rows = mesa.batch_run(ex.SupplyLineModel, parameters={"scenario": "stochastic", "beta": [0.0, 1.0]},
                          rng=[3, 4], max_steps=1000, number_processes=1, data_collection_period=-1,
                          display_progress=False)
    df = pd.DataFrame(rows)
    assert len(df) == 2 * 2 * 4 and (df["Step"] == 48).all()
    for (beta, seed), run in df.groupby(["beta", "seed"]):
        sc = cg.load_scenario("stochastic").with_values({"defaults.policy.beta": beta})
        res = cg.simulate(sc, replications=1, seed=seed)
        cost = res.firms.set_index("firm")["cost"]
        np.testing.assert_allclose(run.set_index("firm").loc[cost.index, "total_cost"], cost, rtol=1e-12)
        assert run["chain_cost"].nunique() == 1
        assert run["chain_cost"].iloc[0] == pytest.approx(res.chain["cost"].iloc[0], rel=1e-12)


def test_batch_run_weekly_rows_give_the_summary_figures(keep_start_method):
    ex = load_example("batch_run")
    firms = ex.per_firm(ex.sweep(betas=(0.34,), seeds=[5], period=1))
    res = cg.simulate("stochastic", replications=1, seed=5).firms.set_index("firm")
    mine = firms.set_index("firm").loc[res.index]
    for col in ("cost", "bullwhip", "fill_rate", "peak_order"):
        np.testing.assert_allclose(mine[col], res[col], rtol=1e-12, err_msg=col)


def test_batch_run_example_runs():
    out = subprocess.run([sys.executable, str(EXAMPLES / "batch_run.py"), "--seeds", "2"],
                         capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    assert "chain cost over 48 weeks" in out.stdout and "bullwhip ratio" in out.stdout


# --- the researcher view ----------------------------------------------------------------------

def test_core_and_view_helpers_leave_solara_unloaded():
    code = ("import sys, chaingame, chaingame.viz, chaingame.figures, chaingame.viz.params; "
            "chaingame.viz.params.ViewModel('classic').run(); print('solara' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"


def test_view_model_reads_the_views_settings():
    from mesa.visualization.solara_viz import _build_model_init_kwargs

    from chaingame.viz.params import ViewModel, model_params, parse_seed

    m = ViewModel("stochastic", seed="7", weeks=12)
    assert (m.spec.name, m.engine.seed, m.spec.weeks) == ("stochastic", 7, 12)
    assert ViewModel("classic", seed=" ", weeks=0).spec.weeks == 36  # blank and 0: the scenario's own
    with pytest.raises(cg.ScenarioError, match="seed"):
        parse_seed("x")
    typo = ViewModel("classic", seed="x7")  # the page must not fail on a typo: it says what it did
    assert typo.engine.seed == typo.spec.seed and "seed" in typo.notes[0]
    # What SolaraViz's Reset passes: no Mesa Scenario in place of ours (it adds one to any model
    # whose __init__ takes `scenario`, which ChainModel's does).
    settings = {k: v["value"] for k, v in model_params().items()}
    kwargs = _build_model_init_kwargs(m, settings, add_scenario_when_empty=True, require_model_accepts_scenario=True)
    assert kwargs == settings
    assert isinstance(ViewModel(**kwargs), ViewModel)


def _text(rc) -> str:
    """The page's text: vuetify Html children and solara.HTML contents."""
    import ipyvuetify as vw
    import solara.widgets

    parts = [str(c) for x in rc.find(vw.Html).widgets for c in x.children if isinstance(c, str)]
    return " ".join(parts + [x.unsafe_innerHTML or "" for x in rc.find(solara.widgets.HTML).widgets])


def test_researcher_view_renders_steps_and_resets():
    """The page as Solara renders it (no browser): plots, Step, and Reset with new settings."""
    import ipyvuetify as vw
    import ipywidgets as w
    import solara

    from chaingame.viz import app
    from chaingame.viz.components import summary_html
    from chaingame.viz.params import ViewModel

    box, rc = solara.render(solara.AppLayout(children=[app.Page()]), handle_error=False)
    images = rc.find(w.Image)
    assert len(images.widgets) == 3 and all(bytes(i.value).startswith(PNG) for i in images.widgets)
    first = [bytes(i.value) for i in images.widgets]
    step = rc.find(vw.Btn, children=["Step"])
    for _ in range(3):
        step.widget.click()
    rc.find(children=["Time: 3.0"]).assert_single()
    assert all(bytes(i.value) != f for i, f in zip(rc.find(w.Image).widgets, first))  # redrawn
    classic = ViewModel("classic")
    for _ in range(3):
        classic.step()
    assert summary_html(classic.history(), classic.spec.title) in _text(rc)

    rc.find(vw.Select, label="Scenario (settings apply on Reset)").widget.v_model = "stochastic"
    seed = rc.find(vw.TextField, label="Seed (blank: the scenario's)").widget
    seed.v_model = "7"
    seed.fire_event("keyup.enter", None)
    rc.find(vw.Select, label="Weeks (0: the scenario's horizon)").widget.v_model = 12
    rc.find(vw.Btn, children=["Reset"]).widget.click()
    rc.find(children=["Time: 0.0"]).assert_single()
    for _ in range(12):
        step.widget.click()
    rc.find(children=["Time: 12.0"]).assert_single()
    assert step.widget.disabled  # the run reached its 12-week horizon
    expected = ViewModel("stochastic", seed="7", weeks=12).run()  # the settings the page was given
    assert summary_html(expected.history(), expected.spec.title) in _text(rc)
    rc.close()


def test_researcher_view_reports_a_bad_seed_instead_of_failing():
    import ipyvuetify as vw
    import solara

    from chaingame.viz import app

    box, rc = solara.render(solara.AppLayout(children=[app.Page()]), handle_error=False)
    seed = rc.find(vw.TextField, label="Seed (blank: the scenario's)").widget
    seed.v_model = "x7"
    seed.fire_event("keyup.enter", None)
    rc.find(vw.Btn, children=["Reset"]).widget.click()
    (alert,) = rc.find(vw.Alert).widgets
    assert alert.children[0].startswith('seed: "x7" is not a whole number')
    rc.find(vw.Btn, children=["Step"]).widget.click()  # the run goes on, with the scenario's seed
    rc.find(children=["Time: 1.0"]).assert_single()
    rc.close()


CHROMIUM = "/usr/bin/chromium"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_researcher_view_in_a_browser(tmp_path):
    """`python -m chaingame.viz` in Chromium: the three plots decode and Step advances the run.

    What only a browser shows: solara.render finds the plots even where the page is blank (e.g.
    SolaraViz's GridDraggable under ipyvue 3, or browser files missing)."""
    assert Path(CHROMIUM).exists(), f"{CHROMIUM} is absent: this test needs it (apt-get install chromium)"
    try:
        from playwright import sync_api
    except ImportError as e:
        pytest.fail(f"playwright is not installed ({e}): pip install -e '.[test]'")
    from chaingame import webassets as assets

    missing = assets.missing()
    assert not missing, f"the page's browser files are missing from {assets.cache_dir()}: {missing} " \
                        "(run `chaingame assets`)"
    port = _free_port()
    log = tmp_path / "server.log"
    env = {**os.environ, "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False"}
    with open(log, "w") as out:
        server = subprocess.Popen([sys.executable, "-m", "chaingame.viz", "--port", str(port), "--host", "127.0.0.1",
                                   "--production", "--no-open"], stdout=out, stderr=subprocess.STDOUT, env=env)
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 90
        while True:
            assert server.poll() is None, log.read_text()
            try:
                with urllib.request.urlopen(f"{url}/readyz", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                assert time.monotonic() < deadline, f"no answer in 90 s:\n{log.read_text()}"
                time.sleep(0.2)  # polling the server's readiness endpoint
        with sync_api.sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM,
                                        args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"])
            context = browser.new_context(viewport={"width": 1500, "height": 1100})
            outside = []  # requests leaving this machine: refused and recorded (served offline, as the classroom)

            def route(r):
                if urllib.parse.urlsplit(r.request.url).hostname in ("127.0.0.1", "localhost"):
                    r.continue_()
                else:
                    outside.append(r.request.url)
                    r.abort("blockedbyclient")

            context.route("**/*", route)
            page = context.new_page()
            errors = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(url)
            page.get_by_text("Orders placed", exact=False).or_(page.locator("img")).first.wait_for(timeout=60_000)
            page.wait_for_function("document.querySelectorAll('img').length >= 3 && "
                                   "[...document.querySelectorAll('img')].every(i => i.complete && i.naturalWidth > 0)",
                                   timeout=60_000)
            page.get_by_text("Step", exact=True).click()
            page.get_by_text("Time: 1.0").wait_for(timeout=30_000)
            page.get_by_text("Summary appears after three weeks").wait_for(timeout=30_000)
            page.screenshot(path=str(tmp_path / "researcher-view.png"))
            browser.close()
        assert not errors, errors
        assert not outside, outside
    finally:
        server.terminate()
        server.wait(timeout=30)


# --- Chen et al. (2000) -----------------------------------------------------------------------

def test_chen_example_reproduces_the_formula(tmp_path):
    """Chen, Drezner, Ryan & Simchi-Levi (2000), Management Science 46(3): 436-443, one stage,
    iid demand, p-week moving average, z = 0: Var(q)/Var(D) = 1 + 2L/p + 2L²/p².

    Each simulated point is a ratio pooled over R independent replications of n weeks, printed
    with its standard error (delta method). Its expectation is K + (K − 1)/(n − 1) (K the formula;
    the sample variance of an autocorrelated series, see the example's docstring), so
    |simulated − K| ≤ 4·SE + (K − 1)/(n − 1): under the CLT a point fails by chance with probability
    6·10⁻⁵, and 4·SE is under 1.5% of K here, while an L off by one week moves K by 20% or more."""
    out_png = tmp_path / "chen.png"
    weeks, burn_in = 240, 40
    cmd = [sys.executable, str(EXAMPLES / "chen_bullwhip.py"), str(out_png), "--replications", "300",
           "--weeks", str(weeks), "--burn-in", str(burn_in), "--leads", "1", "2", "4", "--ps", "2", "5", "10", "30"]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert out.returncode == 0, out.stdout + out.stderr
    assert out_png.read_bytes().startswith(PNG) and out_png.stat().st_size > 10_000
    rows = re.findall(r"^\s*(\d+)\s+(\d+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+(-?[\d.]+)\s+(yes|NO)$",
                      out.stdout, flags=re.M)
    assert len(rows) == 3 * 4, out.stdout
    n = weeks - burn_in
    for L, p, _, _, simulated, se, _, _ in rows:
        L, p, simulated, se = int(L), int(p), float(simulated), float(se)
        k = 1 + 2 * L / p + 2 * L**2 / p**2
        assert 0 < se < 0.004 * k, (L, p, se)  # the check below is tight: 4 SE < 1.6% of K
        assert abs(simulated - k) <= 4 * se + (k - 1) / (n - 1), (L, p, simulated, k, se)


# --- docs/research.md -------------------------------------------------------------------------

def test_research_doc_blocks_run():
    """Every ```python block of docs/research.md, in order, in one fresh interpreter (batch_run
    changes the process's multiprocessing start method, and the blocks import the examples)."""
    text = (ROOT / "docs" / "research.md").read_text(encoding="utf-8")
    blocks = re.findall(r"^```python\n(.*?)^```", text, flags=re.M | re.S)
    assert len(blocks) >= 6
    script = "\n\n".join(blocks)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300, cwd=ROOT,
                         env={**os.environ, "MPLBACKEND": "Agg"})
    assert out.returncode == 0, out.stderr[-3000:]


def test_researcher_view_asks_no_public_site():
    """``solara run`` checks pypi.org for a newer Solara unless told not to: the view's command tells it."""
    from chaingame.viz.__main__ import command

    assert command([])[-1] == "--no-check-version"
    assert command(["--port", "8766"])[-3:] == ["--no-check-version", "--port", "8766"]
    assert "--no-check-version" not in command(["--check-version"])
