"""The ``chaingame`` command: run scenarios, list the bundled ones, sweep and plot, serve the classroom.

Wrong input exits with status 2 and one line on stderr naming the field, the value and what is
allowed; nothing is written before the input has been checked.
"""

from __future__ import annotations

import argparse
import errno
import json
import math
import sys
import tomllib
from pathlib import Path

from .checks import ScenarioError


class _Parser(argparse.ArgumentParser):
    """argparse with one-line errors (no usage dump) and exit status 2."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _value(text: str):
    """A --set value as TOML (numbers, true/false, "strings", [lists]); bare words are strings."""
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text


def _overrides(pairs: list[str]) -> dict:
    out = {}
    for pair in pairs or []:
        if "=" not in pair:
            raise ScenarioError("--set", f'"{pair}" is not PATH=VALUE (e.g. firms.retailer.policy.beta=1)')
        path, text = pair.split("=", 1)
        out[path.strip()] = _value(text.strip())
    return out


def cmd_scenarios(args) -> int:
    """``chaingame scenarios``: list the bundled scenarios with a one-line description."""
    from .scenario import bundled, load_scenario

    names = bundled()
    width = max([12, *(len(n) + 1 for n in names)])  # one column of names, however long
    for name in names:
        sc = load_scenario(name)
        print(f"{name:<{width}} {sc.title or sc.description.strip().splitlines()[0]}")
    return 0


def _fmt(x, spec=".2f"):
    return "-" if x is None or (isinstance(x, float) and math.isnan(x)) else format(x, spec)


def _clean(x):
    if isinstance(x, float) and not math.isfinite(x):
        return None
    return x


def cmd_run(args) -> int:
    """``chaingame run``: run a scenario, print cost and bullwhip per firm, write history, summary and figure."""
    from . import metrics
    from .figures import run_figure
    from .model import ChainModel
    from .scenario import load_scenario

    sc = load_scenario(args.scenario)
    values = _overrides(args.set)
    if args.weeks is not None:
        values["weeks"] = args.weeks
    if values:
        sc = sc.with_values(values)
    out = Path(args.out or Path("chaingame-runs") / sc.name)
    if out.exists() and not out.is_dir():
        raise ScenarioError("--out", f'"{out}" is a file (allowed: a folder, created if missing)')
    model = ChainModel(sc, seed=args.seed)  # checks the seed
    try:
        out.mkdir(parents=True, exist_ok=True)  # before the run: a folder that cannot be made fails at once
    except OSError as e:
        raise ScenarioError("--out", f'"{out}" cannot be created ({e.strerror or e}; allowed: a folder you may '
                                     "write, created if missing)") from None
    model.run()
    history = model.history()
    firms = metrics.summary(history)
    chain = metrics.chain_summary(history).iloc[0]

    print(f"{sc.name}: {sc.title}" if sc.title else sc.name)
    print(f"{sc.weeks} weeks, seed {model.engine.seed}, information {sc.information}\n")
    header = f"{'firm':<14}{'role':<14}{'cost':>10}{'profit':>10}{'bullwhip':>10}{'fill rate':>11}{'peak order':>16}"
    print(header)
    print("-" * len(header))
    for row in firms.itertuples():
        peak = f"{row.peak_order:g} (wk {int(row.peak_week)})"
        print(f"{row.firm:<14}{row.role:<14}{_fmt(row.cost):>10}{_fmt(row.profit):>10}{_fmt(row.bullwhip):>10}"
              f"{_fmt(row.fill_rate, '.1%'):>11}{peak:>16}")
    print("-" * len(header))
    peak = f"{chain.peak_order:g} (wk {int(chain.peak_week)})"
    print(f"{'chain':<28}{_fmt(chain.cost):>10}{_fmt(chain.profit):>10}{_fmt(chain.max_bullwhip):>10}"
          f"{_fmt(chain.fill_rate, '.1%'):>11}{peak:>16}")

    history.to_csv(out / "history.csv", index=False)
    summary = {
        "scenario": sc.name,
        "title": sc.title,
        "seed": model.engine.seed,
        "weeks": sc.weeks,
        "information": sc.information,
        "chain": {k: _clean(float(v)) for k, v in chain.items()},
        "firms": {r["firm"]: {k: _clean(v) for k, v in r.items() if k != "firm"}
                  for r in firms.to_dict(orient="records")},
    }
    (out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    run_figure(history, title=f"{sc.name}: orders, inventory and backlog per firm").savefig(out / "orders.png", dpi=110)
    print(f"\nwrote {out / 'history.csv'}, {out / 'summary.json'}, {out / 'orders.png'}")
    return 0


def cmd_play(args) -> int:
    """``chaingame play``: serve the classroom web app (host page, player pages, debrief)."""
    from .serve import serve
    from .webassets import AssetError

    if not 0 < args.port < 65536:
        raise ScenarioError("--port", f"{args.port} is not a TCP port (allowed: 1 to 65535)")
    _check_listen(args.host, args.port)
    from .classroom import ClassroomError

    try:
        serve(host=args.host, port=args.port, db=args.db, password=args.password)
    except AssetError as e:
        raise ScenarioError("assets", str(e)) from None
    except ClassroomError as e:  # the database file
        raise ScenarioError("--db" if e.field == "db" else e.field, str(e)[len(e.field) + 2:]) from None
    return 0


def _check_listen(host: str, port: int) -> None:
    """Refuse a port that is taken, or an address this machine does not have, before anything starts."""
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as e:
        raise ScenarioError("--host", f'"{host}" is not an address of this machine ({e.strerror or e}; '
                                      "allowed: e.g. 127.0.0.1 or 0.0.0.0)") from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does
        try:
            s.bind(address)
        except OSError as e:
            if e.errno == errno.EADDRINUSE:
                raise ScenarioError("--port", f"{port} is in use on {host} (allowed: a free port, e.g. "
                                              f"--port {port + 1})") from None
            raise ScenarioError("--host", f'"{host}" cannot be listened on ({e.strerror or e}; allowed: an '
                                          "address of this machine, e.g. 127.0.0.1 or 0.0.0.0)") from None


def cmd_assets(args) -> int:
    """``chaingame assets``: fetch the web app's browser files for offline use (``--check``: only check)."""
    from .serve import configure_solara

    configure_solara()
    from . import webassets

    try:
        cache = webassets.cache_dir()
        if args.check:
            webassets.ensure(cache, fetch_missing=False)
        else:
            webassets.ensure(cache)
    except webassets.AssetError as e:
        raise ScenarioError("assets", str(e)) from None
    print(f"browser files present in {cache}: {', '.join(p.spec for p in webassets.required())}")
    return 0


SWEEP_LABELS = {"out": "--out", "chunk": "--chunk", "resume": "--resume", "executor": "--cluster",
                "workers": "--workers"}


def cmd_sweep(args) -> int:
    """``chaingame sweep``: run a parameter sweep and write one tidy table."""
    from .sweep import execute, load_sweep
    from .sweep.executors import tune_malloc

    tune_malloc()  # this process is ours: keep the engine's arrays in the heap (see tune_malloc)

    sweep = load_sweep(args.file)  # every combination checked before anything is written
    out = Path(args.out) if args.out else Path("chaingame-runs") / f"{Path(args.file).stem}.parquet"
    parts = out.with_name(out.name + ".parts")
    had_parts = parts.exists()
    if args.resume and not had_parts:
        print(f"chaingame sweep: nothing to resume ({parts} does not exist): running the whole sweep", file=sys.stderr)
    try:
        table, report = execute(sweep, workers=args.workers, executor=args.cluster, out=out, resume=args.resume,
                                chunk=args.chunk, labels=SWEEP_LABELS)
    except KeyboardInterrupt:
        kept = f"; finished chunks are kept in {parts} (run again with --resume to finish)" \
            if parts.exists() and (had_parts or any(parts.glob("chunk-*"))) else ""
        print(f"chaingame sweep: interrupted{kept}", file=sys.stderr)
        return 130
    combos, reps = table["combination"].nunique(), table["replication"].nunique()
    print(f"{args.file}: {combos} combination{'s' * (combos != 1)} x {reps} replication{'s' * (reps != 1)} "
          f"on {report.ran_on}, {report.chunks} chunk{'s' * (report.chunks != 1)}")
    if report.reused:
        print(f"reused {report.reused} of {report.chunks} chunks from {report.parts}")
    print(f"wrote {out} ({len(table)} rows: {', '.join(dict.fromkeys(table['firm']))})")
    return 0


def cmd_plot(args) -> int:
    """``chaingame plot``: plot a sweep's metric against a parameter (mean and 95% CI)."""
    from .figures import sweep_figure
    from .sweep import mean_ci, metrics_of, parameters_of, read_table

    results = Path(args.results)
    df = read_table(results, "results")
    params, metrics = parameters_of(df), metrics_of(df)
    if args.x not in params:
        raise ScenarioError("--x", f'"{args.x}" is not a parameter of {results} (allowed: '
                                   f"{', '.join(params) or 'none; that sweep varied nothing'})")
    if args.y not in metrics:
        raise ScenarioError("--y", f'"{args.y}" is not a metric of {results} (allowed: {", ".join(metrics)})')
    has = list(dict.fromkeys(df.loc[df[args.y].notna(), "firm"]))
    for firm in args.firm or []:
        if firm not in has:
            raise ScenarioError("--firm", f'"{firm}" has no {args.y} values in {results} (allowed: {", ".join(has)})')
    out = Path(args.out) if args.out else results.with_name(f"{results.stem}-{args.y}.png")
    if out.suffix.lower() not in (".png", ".pdf", ".svg"):
        raise ScenarioError("--out", f'"{out}" ends in "{out.suffix}" (allowed: .png, .pdf or .svg)')
    if out.is_dir():
        raise ScenarioError("--out", f'"{out}" is a folder (allowed: an image file name)')
    summary = mean_ci(df, args.x, args.y, args.firm)
    others = [p for p in params if p != args.x and df[p].nunique() > 1]
    title = f"{args.y} against {args.x}: mean and 95% CI over {df['replication'].nunique()} replications"
    if others:
        title += f"\n(pooled over {', '.join(others)})"
    out.parent.mkdir(parents=True, exist_ok=True)
    sweep_figure(summary, args.x, args.y, title, connect=not others).savefig(out, dpi=110)  # PNG, PDF or SVG
    print(f"wrote {out}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The ``chaingame`` argument parser, one subcommand per ``cmd_*`` function."""
    parser = _Parser(prog="chaingame", description="An agent-based multi-firm value-chain game (beer game).")
    parser.add_argument("--version", action="version", version=f"chaingame {__import__('chaingame').__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    p = sub.add_parser("scenarios", help="list the bundled scenarios, one line each",
                       description="List the bundled scenarios with a one-line description.")
    p.set_defaults(func=cmd_scenarios)

    p = sub.add_parser("run", help="run a scenario and write history.csv, summary.json and orders.png",
                       description="Run a scenario with its decision rules; print cost and bullwhip per firm and "
                                   "write DIR/history.csv, DIR/summary.json and DIR/orders.png.")
    p.add_argument("scenario", metavar="SCENARIO",
                   help="a bundled name (see `chaingame scenarios`) or a .toml path; a bundled name means the "
                        "bundled scenario even beside a file or folder of that name (write ./NAME for that one)")
    p.add_argument("--seed", type=int, metavar="N", help="demand seed (default: the scenario's)")
    p.add_argument("--weeks", type=int, metavar="N", help="horizon in weeks (default: the scenario's)")
    p.add_argument("--out", metavar="DIR", help="output folder (default: chaingame-runs/<scenario name>)")
    p.add_argument("--set", action="append", metavar="PATH=VALUE",
                   help="change a scenario field by dotted path, e.g. --set firms.retailer.policy.beta=1 "
                        "(repeatable; links.*.shipping_delay=1 sets every link). A changed delay resizes its "
                        "pipeline (orders, shipments, production.wip: the weeks nearest arrival are kept, the "
                        "week furthest out repeated) and a changed policy rule drops the old rule's "
                        "parameters, unless you --set those too (docs/scenarios.md)")
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("play", help="serve the classroom: host page, player pages, debrief",
                       description="Serve the classroom web app (one process): the host creates a session at "
                                   "/host, players join at /, everyone sees the debrief at /debrief. Sessions "
                                   "are kept in an SQLite file and survive a restart.")
    p.add_argument("--host", default="127.0.0.1", metavar="H",
                   help="address to listen on (default 127.0.0.1; 0.0.0.0 for a classroom network)")
    p.add_argument("--port", type=int, default=8765, metavar="P", help="TCP port (default 8765)")
    p.add_argument("--db", metavar="PATH", help="session database (default: classroom.sqlite3 in your data folder)")
    p.add_argument("--password", metavar="TEXT",
                   help="teacher password: the host page asks for it to create a session (default: "
                        "$CHAINGAME_TEACHER_PASSWORD; with neither, none on 127.0.0.1, where only this machine "
                        "reaches the server, and a random one, printed at start, on any other address)")
    p.set_defaults(func=cmd_play)

    p = sub.add_parser("assets", help="fetch the web app's browser files for offline use (needs npm once)",
                       description="Put the JavaScript, CSS and fonts the web pages need into Solara's local "
                                   "asset folder, from the npm registry, so that `chaingame play` works with no "
                                   "CDN. Run once after installing (scripts/setup.sh does).")
    p.add_argument("--check", action="store_true", help="only check; exit 2 if something is missing")
    p.set_defaults(func=cmd_assets)

    p = sub.add_parser("sweep", help="run a parameter sweep and write one tidy table (.parquet or .csv)",
                       description="Run every combination of a sweep file's parameters for its replications, in "
                                   "parallel, and write one row per (combination, replication, firm) with the chosen "
                                   "metrics; the chain's figures are in rows whose firm is \"chain\" (docs/sweeps.md). "
                                   "Finished chunks are kept in OUT.parts/ until the table is written, so that "
                                   "--resume can finish an interrupted sweep.")
    p.add_argument("file", metavar="FILE", help="a sweep .toml file (examples in sweeps/)")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--workers", type=int, metavar="N",
                       help="local worker processes (default: one per CPU; 1 runs in this process)")
    where.add_argument("--cluster", metavar="ADDRESS",
                       help="run on a Dask cluster instead, e.g. tcp://host:8786 (needs chaingame[cluster])")
    p.add_argument("--out", metavar="PATH",
                   help="results file, .parquet or .csv (default: chaingame-runs/<FILE's name>.parquet)")
    p.add_argument("--resume", action="store_true",
                   help="finish an interrupted run of the same sweep, reusing the chunks in OUT.parts/")
    p.add_argument("--chunk", type=int, metavar="N",
                   help="runs per chunk of work, rounded up to whole batches (default: about 256 chunks); "
                        "the numbers do not depend on it")
    p.set_defaults(func=cmd_sweep)

    p = sub.add_parser("plot", help="plot a sweep's metric against a parameter (mean and 95%% CI)",
                       description="Plot the mean of a metric with its 95% confidence interval (Student's t) "
                                   "against a swept parameter, one line per firm, from a table written by "
                                   "`chaingame sweep`.")
    p.add_argument("results", metavar="RESULTS", help="a table written by `chaingame sweep` (.parquet or .csv)")
    p.add_argument("--x", required=True, metavar="PARAM",
                   help="the parameter on the x axis, by its dotted path (e.g. defaults.policy.beta)")
    p.add_argument("--y", required=True, metavar="METRIC", help="the metric, e.g. bullwhip, cost or max_bullwhip")
    p.add_argument("--firm", action="append", metavar="F",
                   help='only this firm (repeatable; "chain" for the chain\'s rows; default: every firm with '
                        "the metric, else the chain)")
    p.add_argument("--out", metavar="PATH", help="image file, .png, .pdf or .svg (default: RESULTS-METRIC.png)")
    p.set_defaults(func=cmd_plot)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the ``chaingame`` command line; return its exit code (2 after a one-line error, 130 if interrupted)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 0
    try:
        return args.func(args)
    except ScenarioError as e:
        print(f"chaingame {args.command}: error: {e}", file=sys.stderr)
        return 2
    except OSError as e:
        print(f"chaingame {args.command}: error: {e.filename or ''}: {e.strerror or e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"chaingame {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
