"""The ``chaingame`` command: run, show and list scenarios, compare treatments, sweep and plot, serve the classroom.

Wrong input exits with status 2 and one line on stderr naming the field, the value and what is
allowed; nothing is written before the input has been checked.
"""

from __future__ import annotations

import argparse
import dataclasses
import errno
import json
import math
import sys
import tomllib
from pathlib import Path

from .checks import ScenarioError, show


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


def _whole(text: str) -> int:
    """An integer flag's value: ASCII digits with an optional sign (int() would also take "٣" or "1_000")."""
    digits = text.strip().removeprefix("-").removeprefix("+")
    if not (digits.isascii() and digits.isdigit()):
        raise argparse.ArgumentTypeError(f"{show(text)} is not a whole number (allowed: digits 0-9, e.g. 42)")
    return int(text)


def _overrides(pairs: list[str]) -> dict:
    out = {}
    for pair in pairs or []:
        if "=" not in pair:
            raise ScenarioError("--set", f'"{pair}" is not PATH=VALUE (e.g. firms.retailer.policy.beta=1)')
        path, text = pair.split("=", 1)
        if not path.strip():
            raise ScenarioError("--set", f'"{pair}" has no PATH before "=" (allowed: PATH=VALUE, e.g. '
                                         "firms.retailer.policy.beta=1)")
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
    from .checks import number
    from .engine import COLUMNS, Engine
    from .provenance import rerun_inputs, run_folder, run_record
    from .scenario import load_scenario

    recorded = None
    if args.from_ is not None:
        given = [flag for flag, v in (("SCENARIO", args.scenario), ("--seed", args.seed), ("--weeks", args.weeks),
                                      ("--set", args.set), ("--burn-in", args.burn_in)) if v is not None]
        if given:
            raise ScenarioError("--from", f"reruns the recorded run as it was (not allowed with {', '.join(given)}; "
                                          "run the scenario.toml beside that summary.json with those instead)")
        sc, seed, burn_in, recorded = rerun_inputs(args.from_)
        values = recorded.get("overrides", {})
    else:
        if args.scenario is None:
            raise ScenarioError("SCENARIO", "is missing (allowed: a bundled name, a .toml path, or --from "
                                            "DIR/summary.json)")
        sc = load_scenario(args.scenario)
        values = _overrides(args.set)
        if args.weeks is not None:
            values["weeks"] = args.weeks
        if values:
            sc = sc.with_values(values)
        seed, burn_in = args.seed, args.burn_in or 0
    burn_in = int(number(burn_in, "--burn-in", low=0, high=max(sc.weeks - 2, 0), integer=True))
    out = run_folder(args.out, sc.name, args.force)
    engine = Engine(sc, replications=1, seed=seed)  # checks the seed
    try:
        out.mkdir(parents=True, exist_ok=True)  # before the run: a folder that cannot be made fails at once
    except OSError as e:
        raise ScenarioError("--out", f'"{out}" cannot be created ({e.strerror or e}; allowed: a folder you may '
                                     "write, created if missing)") from None
    history = _play(engine, COLUMNS, quiet=args.quiet)
    from . import metrics

    firms = metrics.summary(history, burn_in)
    chain = metrics.chain_summary(history, burn_in).iloc[0]
    if not args.quiet:
        _print_run(sc, engine.seed, burn_in, firms, chain, history)

    history.to_csv(out / "history.csv", index=False)
    summary = {
        **run_record(sc, values, engine.seed, burn_in),
        "chain": {k: _clean(float(v)) for k, v in chain.items()},
        "firms": {r["firm"]: {k: _clean(v) for k, v in r.items() if k != "firm"}
                  for r in firms.to_dict(orient="records")},
    }
    (out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    (out / "scenario.toml").write_text(summary["scenario_toml"])
    written = [out / "history.csv", out / "summary.json", out / "scenario.toml"]
    if not args.no_plot:
        from .figures import run_figure

        run_figure(history, title=f"{sc.name}: orders, inventory and backlog per firm").savefig(
            out / "orders.png", dpi=110)
        written.append(out / "orders.png")
    if not args.quiet:
        print(f"\nwrote {', '.join(map(str, written))}")
    if recorded is not None:
        if not all(summary[k] == recorded.get(k) for k in ("chain", "firms")):
            print(f"chaingame run: the numbers differ from {args.from_} (recorded by chaingame "
                  f"{recorded.get('chaingame', '?')}, rerun by {summary['chaingame']})", file=sys.stderr)
            return 1
        if not args.quiet:
            print(f"same numbers as {args.from_}, bit for bit")
    return 0


PROGRESS_DELAY = 1.0  # s: a run that ends sooner shows no progress bar


def _play(engine, columns, quiet: bool = False):
    """Play one game on the array engine (the numbers of ChainModel, without Mesa) and return its history.

    A progress bar on stderr appears for a run longer than :data:`PROGRESS_DELAY`.
    """
    import numpy as np
    from tqdm import tqdm

    from .batch import tidy

    weeks = engine.scenario.weeks
    cols = {c: np.empty((weeks, len(engine.scenario.firms), 1)) for c in columns}
    for w in tqdm(range(weeks), desc="run", unit="week", file=sys.stderr, disable=quiet, delay=PROGRESS_DELAY,
                  dynamic_ncols=True, leave=False):
        engine.step(out={c: v[w] for c, v in cols.items()})
    return tidy(engine, cols).drop(columns="replication")


def _print_run(sc, seed: int, burn_in: int, firms, chain, history) -> None:
    print(f"{sc.name}: {sc.title}" if sc.title else sc.name)
    burn = f", weeks 1-{burn_in} left out of the figures" if burn_in else ""
    print(f"{sc.weeks} weeks, seed {seed}, information {sc.information}{burn}\n")
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
    net = sc.network()
    if net.money or bool((net.price > 0).any()):
        _cash_table(firms, chain, history)


def cmd_show(args) -> int:
    """``chaingame show``: print a bundled scenario's TOML file (to copy and edit)."""
    from .scenario import bundled

    names = bundled()
    if args.scenario not in names:
        raise ScenarioError("SCENARIO", f'"{args.scenario}" is not a bundled scenario (allowed: {", ".join(names)})')
    sys.stdout.write(names[args.scenario].read_text(encoding="utf-8"))
    return 0


def _cash_table(firms, chain, history) -> None:
    """The cash figures of ``chaingame run``, from the history.

    For scenarios with prices or money rules (chaingame.metrics): each firm's cash at the end and weeks
    insolvent.
    """
    by_firm = history.groupby("firm", sort=False)
    end_cash, insolvent = by_firm["cash"].last(), by_firm["insolvent"].sum()
    header = (f"\n{'firm':<14}{'cash':>10}{'DIO':>8}{'DSO':>8}{'DPO':>8}{'cash-to-cash':>14}{'peak WC':>10}"
              f"{'interest':>10}{'insolvent':>11}")
    print(header)
    print("-" * (len(header) - 1))
    for row in firms.itertuples():
        print(f"{row.firm:<14}{_fmt(end_cash[row.firm]):>10}{_fmt(row.dio, '.1f'):>8}{_fmt(row.dso, '.1f'):>8}"
              f"{_fmt(row.dpo, '.1f'):>8}{_fmt(row.cash_to_cash, '.1f'):>14}{_fmt(row.peak_working_capital):>10}"
              f"{_fmt(row.interest):>10}{int(insolvent[row.firm]):>11}")
    print("-" * (len(header) - 1))
    print(f"{'chain':<14}{'':>10}{'':>24}{_fmt(chain.cash_to_cash, '.1f'):>14}"
          f"{_fmt(chain.peak_working_capital):>10}{_fmt(chain.interest):>10}")
    print("(days of inventory, receivables, payables; cash-to-cash = DIO + DSO - DPO, Farris & Hutchison 2002; "
          "peak WC = the largest stock at cost + receivables - payables, $)")


def cmd_play(args) -> int:
    """``chaingame play``: serve the classroom web app (host page, player pages, debrief)."""
    from .serve import refuse_blank, serve
    from .webassets import AssetError

    if not 0 < args.port < 65536:
        raise ScenarioError("--port", f"{args.port} is not a TCP port (allowed: 1 to 65535)")
    refuse_blank(args.password)
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


class _Terminated(KeyboardInterrupt):
    """SIGTERM, raised where the program is, so that it stops as after Ctrl-C (workers stopped, chunks kept)."""


def _raise_terminated(signum, frame):
    raise _Terminated()


def cmd_sweep(args) -> int:
    """``chaingame sweep``: run a parameter sweep and write one tidy table."""
    import signal

    from .sweep.spec import load_sweep

    sweep = load_sweep(args.file)  # every combination checked before anything is written
    if args.out is not None and not args.out.strip():
        raise ScenarioError("--out", '"" is empty (allowed: a .parquet or .csv file name)')
    out = Path(args.out) if args.out else Path("chaingame-runs") / f"{Path(args.file).stem}.parquet"
    parts = out.with_name(out.name + ".parts")
    had_parts = parts.exists()
    if out.is_file() and not args.force and not (args.resume and had_parts):
        raise ScenarioError("--out", f'"{out}" holds another sweep\'s table (allowed: a new file name, or add '
                                     "--force to overwrite it)")
    if args.resume and not had_parts:
        print(f"chaingame sweep: nothing to resume ({parts} does not exist): running the whole sweep", file=sys.stderr)
    from .sweep.executors import tune_malloc
    from .sweep.run import execute

    tune_malloc()  # this process is ours: keep the engine's arrays in the heap (see tune_malloc)
    signal.signal(signal.SIGTERM, _raise_terminated)  # this process is ours: stop the workers, keep the chunks
    try:
        table, report = execute(sweep, workers=args.workers, executor=args.cluster, out=out, resume=args.resume,
                                chunk=args.chunk, labels=SWEEP_LABELS, progress=not args.quiet)
    except OSError as e:  # OUT.parts/ or the table cannot be written
        if not str(e.filename or "").startswith(str(out)):
            raise
        raise ScenarioError("--out", f'"{out}" cannot be written ({e.strerror or e}: {e.filename}; allowed: a file '
                                     "in a folder you may write)") from None
    except KeyboardInterrupt as e:
        kept = f"; finished chunks are kept in {parts} (run again with --resume to finish)" \
            if parts.exists() and (had_parts or any(parts.glob("chunk-*"))) else ""
        print(f"chaingame sweep: {'terminated' if isinstance(e, _Terminated) else 'interrupted'}{kept}",
              file=sys.stderr)
        return 143 if isinstance(e, _Terminated) else 130
    if args.quiet:
        return 0
    combos, reps = table["combination"].nunique(), table["replication"].nunique()
    print(f"{args.file}: {combos} combination{'s' * (combos != 1)} x {reps} replication{'s' * (reps != 1)} "
          f"on {report.ran_on}, {report.chunks} chunk{'s' * (report.chunks != 1)}")
    if report.reused:
        print(f"reused {report.reused} of {report.chunks} chunks from {report.parts}")
    print(f"wrote {out} ({len(table)} rows: {', '.join(dict.fromkeys(table['firm']))})")
    return 0


def cmd_plot(args) -> int:
    """``chaingame plot``: plot a sweep's metric against a parameter (mean and 95% CI)."""
    from .formulas import FORMULAS
    from .sweep.results import mean_ci, metrics_of, parameters_of, pooled, read_table

    results = Path(args.results)
    df = read_table(results, "results")
    params, metrics = parameters_of(df), metrics_of(df)
    allowed = ", ".join(params) or "none; that sweep varied nothing"
    if args.x not in params:
        raise ScenarioError("--x", f'"{args.x}" is not a parameter of {results} (allowed: {allowed})')
    if args.y not in metrics:
        raise ScenarioError("--y", f'"{args.y}" is not a metric of {results} (allowed: {", ".join(metrics)})')
    if args.by is not None and (args.by not in params or args.by == args.x):
        raise ScenarioError("--by", f'"{args.by}" is not a parameter of {results} other than --x (allowed: '
                                    f"{', '.join(p for p in params if p != args.x) or 'none'})")
    df, fixed = _where(df, args.where, params, results)
    if args.formula is not None and args.by is None:
        raise ScenarioError("--formula", f'"{args.formula}" draws one curve per value of --by (allowed: with --by '
                                         "PARAM, e.g. --by firms.retailer.policy.lead_time)")
    has = list(dict.fromkeys(df.loc[df[args.y].notna(), "firm"]))
    for firm in args.firm or []:
        if firm not in has:
            raise ScenarioError("--firm", f'"{firm}" has no {args.y} values in {results} (allowed: {", ".join(has)})')
    mixed = pooled(df, [args.x, *([args.by] if args.by else [])])
    if mixed:
        p, k = next(iter(mixed.items()))
        values = ", ".join(map(str, sorted(df[p].unique())[:6])) + (", ..." if df[p].nunique() > 6 else "")
        raise ScenarioError("--x", f"rows with the same {args.x}{' and ' + args.by if args.by else ''} differ in "
                                   f"{', '.join(mixed)}: one interval would pool {k} combinations (allowed: "
                                   f"--by {p}, or --where {p}=VALUE with VALUE one of {values})")
    out = Path(args.out) if args.out else results.with_name(f"{results.stem}-{args.y}.png")
    if out.suffix.lower() not in (".png", ".pdf", ".svg"):
        raise ScenarioError("--out", f'"{out}" ends in "{out.suffix}" (allowed: .png, .pdf or .svg)')
    if out.is_dir():
        raise ScenarioError("--out", f'"{out}" is a folder (allowed: an image file name)')
    from .figures import sweep_figure

    summary = mean_ci(df, args.x, args.y, args.firm, by=args.by)
    lines = df.groupby(args.by) if args.by else [(None, df)]  # along a line, others vary with x ([list], samples)
    others = [p for p in params if p not in (args.x, args.by) and any(g[p].nunique() > 1 for _, g in lines)]
    title = f"{args.y} against {args.x}: mean and 95% CI over {df['replication'].nunique()} replications"
    if fixed:
        title += f"\n({', '.join(f'{p} = {v}' for p, v in fixed.items())})"
    out.parent.mkdir(parents=True, exist_ok=True)
    sweep_figure(summary, args.x, args.y, title, connect=not others, by=args.by,
                 formula=FORMULAS[args.formula] if args.formula else None).savefig(out, dpi=110)  # PNG, PDF or SVG
    if not args.quiet:
        print(f"wrote {out}")
    return 0


def _rule(text: str):
    """``FIRM=RULE[:KEY=VALUE,...]`` of ``--rule``, as (firm, rule name, parameters)."""
    if "=" not in text:
        raise ScenarioError("--rule", f'"{text}" is not FIRM=RULE[:KEY=VALUE,...] (e.g. retailer=sterman:beta=1)')
    firm, spec = (part.strip() for part in text.split("=", 1))
    name, _, rest = spec.partition(":")
    params = {}
    for pair in filter(None, (p.strip() for p in rest.split(","))):
        if "=" not in pair:
            raise ScenarioError(f"--rule {firm}", f'"{pair}" is not KEY=VALUE (e.g. theta=0)')
        key, value = pair.split("=", 1)
        params[key.strip()] = _value(value.strip())
    return firm, name.strip(), params


def _replay_policies(rec, rules: list[str]) -> dict:
    """The firms' rules of --rule, by firm.

    Each is a rule of chaingame.policies by name, "benchmark" (Sterman's benchmark rule) or "fitted"
    (the firm's own fitted rule), with KEY=VALUE parameters.
    """
    from . import policies as pol
    from .insight import benchmark_rules, fit_sterman, replay

    sc = rec.scenario
    out = {}
    for text in rules or []:
        firm, name, params = _rule(text)
        where = f"--rule {firm}"
        if firm not in sc.firm_ids:
            raise ScenarioError("--rule", f'"{firm}" is not a firm of {sc.name} (firms: {", ".join(sc.firm_ids)})')
        if name == "benchmark":
            rule = benchmark_rules(sc)[firm]
            out[firm] = dataclasses.replace(rule, **params) if params else rule
        elif name == "fitted":
            fit = fit_sterman(replay(rec), firm, scenario=sc, method="jacobian")
            if not fit.identified:
                raise ScenarioError(where, f"fitted: {firm}'s orders do not pin down a rule ({'; '.join(fit.reasons)})")
            unknown = sorted(set(params) - set(fit.params))
            if unknown:
                raise ScenarioError(where, f'"{unknown[0]}" is not a parameter of the fitted rule (allowed: '
                                           f"{', '.join(fit.params)})")
            out[firm] = fit.policy(**{k: float(v) for k, v in params.items()})
        else:
            choices = ("benchmark", "fitted", *pol.ORDER_RULES)
            if name not in pol.ORDER_RULES:
                raise ScenarioError(where, f'"{name}" is not a rule (allowed: {", ".join(choices)})')
            out[firm] = pol.from_table({"rule": name, **params}, where, pol.ORDER_RULES, lead_time=sc.lead_time(firm))
    return out


def _replay_source(args):
    """The Record of the replay's SOURCE: a classroom database, a session export or a run's output."""
    import pandas as pd

    from .insight import record

    src = Path(args.source)
    if src.is_dir():
        history, summary = src / "history.csv", src / "summary.json"
        if not history.is_file():
            raise ScenarioError("SOURCE", f'"{src}" has no history.csv (allowed: a folder `chaingame run` wrote)')
        scenario = args.scenario
        if scenario is None:
            if not summary.is_file():
                raise ScenarioError("--scenario", f'is missing (required: "{src}" has no summary.json naming it)')
            info = json.loads(summary.read_text())
            scenario = info.get("scenario_table") or info["scenario"]
        return record(pd.read_csv(history), _scenario(scenario))
    if not src.is_file():
        raise ScenarioError("SOURCE", f'"{src}" is not a file or folder (allowed: a classroom database, a session '
                                      "export .csv/.parquet, or a folder `chaingame run` wrote)")
    if src.suffix.lower() in (".csv", ".parquet"):
        from .classroom.records import export_record

        if args.scenario is None:
            raise ScenarioError("--scenario", "is missing (required with an export: the session's scenario)")
        table = pd.read_csv(src) if src.suffix.lower() == ".csv" else pd.read_parquet(src)
        return export_record(table, _scenario(args.scenario), args.team)
    from .classroom.errors import ClassroomError
    from .classroom.records import session_record

    try:
        return session_record(src, args.session, 1 if args.team is None else args.team)
    except ClassroomError as e:  # not a classroom database
        raise ScenarioError(e.field, str(e).removeprefix(f"{e.field}: ")) from None


def _scenario(source):
    from .scenario import from_table, load_scenario

    return from_table(source) if isinstance(source, dict) else load_scenario(source)


def cmd_replay(args) -> int:
    """``chaingame replay``: a recorded game replayed on its customer demand, some firms on other rules."""
    from .insight import costs, replay

    rec = _replay_source(args)
    policies = _replay_policies(rec, args.rule)
    out = Path(args.out or Path("chaingame-runs") / f"{rec.scenario.name}-replay")
    if out.exists() and not out.is_dir():
        raise ScenarioError("--out", f'"{out}" is a file (allowed: a folder, created if missing)')
    out.mkdir(parents=True, exist_ok=True)
    recorded = costs(replay(rec))
    replayed_history = replay(rec, policies)
    replayed = costs(replayed_history)
    print(f"{rec.scenario.name}: {rec.weeks} weeks replayed on the recorded customer demand")
    for firm, rule in policies.items():
        print(f"  {firm}: {rule}")
    if not policies:
        print("  every firm on its recorded orders")
    header = f"{'firm':<14}{'recorded':>12}{'replayed':>12}{'change':>12}"
    print("\n" + header + "\n" + "-" * len(header))
    for firm in recorded.index:
        print(f"{firm:<14}{recorded[firm]:>12.2f}{replayed[firm]:>12.2f}{replayed[firm] - recorded[firm]:>+12.2f}")
    print("-" * len(header))
    total, new = float(recorded.sum()), float(replayed.sum())
    print(f"{'team':<14}{total:>12.2f}{new:>12.2f}{new - total:>+12.2f}")
    replayed_history.to_csv(out / "history.csv", index=False)
    print(f"\nwrote {out / 'history.csv'}")
    return 0


def _where(df, pairs: list[str] | None, params: list[str], results: Path):
    """The rows with each --where PARAM=VALUE, and those values."""
    fixed = {}
    for pair in pairs or []:
        if "=" not in pair:
            raise ScenarioError("--where", f'"{pair}" is not PARAM=VALUE (e.g. --where defaults.policy.beta=1)')
        p, text = (part.strip() for part in pair.split("=", 1))
        if p not in params:
            raise ScenarioError("--where", f'"{p}" is not a parameter of {results} (allowed: {", ".join(params)})')
        value = _value(text)
        column = df[p]
        match = column.astype(str) == str(value) if column.dtype == object or isinstance(value, str) \
            else column == value
        if not match.any():
            shown = ", ".join(map(str, sorted(column.unique())[:10]))
            raise ScenarioError("--where", f"{p} = {text} is in no row of {results} (allowed: {shown})")
        df, fixed[p] = df[match], value
    return df, fixed


def cmd_compare(args) -> int:
    """``chaingame compare``: treatment against baseline, paired differences under common random numbers."""
    from .checks import number
    from .metrics import FIRM_METRICS
    from .paired import compare
    from .scenario import load_scenario

    sc = load_scenario(args.scenario)
    number(args.replications, "--replications", low=2, integer=True)
    for m in args.metric or []:
        if m not in FIRM_METRICS:
            raise ScenarioError("--metric", f'"{m}" is not a firm metric (allowed: {", ".join(FIRM_METRICS)})')
    treatment, baseline = _overrides(args.set), _overrides(args.base)
    if not treatment:
        raise ScenarioError("--set", "is missing (allowed: the treatment's changes, e.g. --set defaults.policy.beta=1)")
    try:
        table = compare(sc, treatment, baseline, replications=args.replications, seed=args.seed,
                        burn_in=args.burn_in, metrics=args.metric or ["cost"])
    except MemoryError:
        raise ScenarioError("--replications", f"{args.replications} need more memory than this machine has "
                                              "(allowed: fewer, e.g. 10000)") from None
    seed = sc.seed if args.seed is None else args.seed
    print(f"{sc.name}: treatment {_pairs(treatment)} against {_pairs(baseline) if baseline else 'the scenario'}")
    print(f"{args.replications} paired replications (seed {seed}, the same demand in both arms), "
          "difference = treatment - baseline, 95% t-interval\n")
    header = f"{'firm':<14}{'metric':<12}{'baseline':>11}{'treatment':>11}{'difference':>12}{'95% CI':>24}"
    print(header)
    print("-" * len(header))
    for r in table.itertuples():
        ci = f"[{_fmt(r.low)}, {_fmt(r.high)}]"
        print(f"{r.firm:<14}{r.metric:<12}{_fmt(r.baseline):>11}{_fmt(r.treatment):>11}{_fmt(r.difference):>12}"
              f"{ci:>24}")
    return 0


def _pairs(values: dict) -> str:
    return ", ".join(f"{k}={v}" for k, v in values.items())


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
                                   "write DIR/history.csv, DIR/summary.json (the figures, and how they were made: "
                                   "chaingame version, the scenario as run, the --set overrides, seed, burn-in), "
                                   "DIR/scenario.toml (the scenario as run) and DIR/orders.png. A folder that holds "
                                   "another run is never overwritten without --force; without --out each run gets "
                                   "its own folder, chaingame-runs/NAME, NAME-2, NAME-3, ...")
    p.add_argument("scenario", metavar="SCENARIO", nargs="?",
                   help="a bundled name (see `chaingame scenarios`) or a .toml path; a bundled name means the "
                        "bundled scenario even beside a file or folder of that name (write ./NAME for that one)")
    p.add_argument("--seed", type=_whole, metavar="N", help="demand seed (default: the scenario's)")
    p.add_argument("--weeks", type=_whole, metavar="N", help="horizon in weeks (default: the scenario's)")
    p.add_argument("--out", metavar="DIR",
                   help="output folder (default: chaingame-runs/<scenario name>, or NAME-2, NAME-3, ... if taken)")
    p.add_argument("--force", action="store_true", help="overwrite the run already in --out DIR")
    p.add_argument("--burn-in", type=_whole, metavar="N",
                   help="weeks 1..N left out of the printed figures and summary.json (default 0; the history "
                        "keeps every week)")
    p.add_argument("--from", dest="from_", metavar="SUMMARY",
                   help="rerun the run recorded in a summary.json (or its folder): the same scenario, seed and "
                        "burn-in, hence the same numbers bit for bit (checked: exit status 1 if they differ)")
    p.add_argument("--quiet", action="store_true", help="print nothing but errors (no table, no progress bar)")
    p.add_argument("--no-plot", action="store_true", help="do not draw orders.png (faster)")
    p.add_argument("--set", action="append", metavar="PATH=VALUE",
                   help="change a scenario field by dotted path, e.g. --set firms.retailer.policy.beta=1 "
                        "(repeatable; links.*.shipping_delay=1 sets every link). A changed delay resizes its "
                        "pipeline (orders, shipments, production.wip: the weeks nearest arrival are kept, the "
                        "week furthest out repeated) and a changed policy rule drops the old rule's "
                        "parameters, unless you --set those too (docs/scenarios.md)")
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("show", help="print a bundled scenario's TOML file (to copy and edit)",
                       description="Print a bundled scenario's file, e.g. `chaingame show classic > mine.toml`; "
                                   "then `chaingame run mine.toml`.")
    p.add_argument("scenario", metavar="SCENARIO", help="a bundled name (see `chaingame scenarios`)")
    p.set_defaults(func=cmd_show)

    p = sub.add_parser("compare", help="treatment against baseline: paired differences under common random numbers",
                       description="Play the treatment (the scenario with --set changes) and the baseline (the "
                                   "scenario, or with --base changes) for the same replications from the same "
                                   "seeds, and print, per firm and for the chain, the mean of the per-replication "
                                   "differences with its 95% Student's t interval (docs/research.md).")
    p.add_argument("scenario", metavar="SCENARIO", help="a bundled name or a .toml path")
    p.add_argument("--set", action="append", metavar="PATH=VALUE", help="a change of the treatment (repeatable)")
    p.add_argument("--base", action="append", metavar="PATH=VALUE",
                   help="a change of the baseline (repeatable; default: the scenario as it is)")
    p.add_argument("--replications", type=_whole, default=1000, metavar="R", help="replications per arm (default 1000)")
    p.add_argument("--seed", type=_whole, metavar="N", help="root seed of both arms (default: the scenario's)")
    p.add_argument("--burn-in", type=_whole, default=0, metavar="N", help="weeks left out of the figures (default 0)")
    p.add_argument("--metric", action="append", metavar="M",
                   help="a firm metric to compare (repeatable; default cost), e.g. bullwhip, fill_rate")
    p.set_defaults(func=cmd_compare)

    p = sub.add_parser("play", help="serve the classroom: host page, player pages, debrief",
                       description="Serve the classroom web app (one process): the host creates a session at "
                                   "/host, players join at /, everyone sees the debrief at /debrief. Sessions "
                                   "are kept in an SQLite file and survive a restart.")
    p.add_argument("--host", default="127.0.0.1", metavar="H",
                   help="address to listen on (default 127.0.0.1; 0.0.0.0 for a classroom network)")
    p.add_argument("--port", type=_whole, default=8765, metavar="P", help="TCP port (default 8765)")
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
    where.add_argument("--workers", type=_whole, metavar="N",
                       help="local worker processes (default: one per CPU; 1 runs in this process)")
    where.add_argument("--cluster", metavar="ADDRESS",
                       help="run on a Dask cluster instead, e.g. tcp://host:8786 (needs chaingame[cluster])")
    p.add_argument("--out", metavar="PATH",
                   help="results file, .parquet or .csv (default: chaingame-runs/<FILE's name>.parquet)")
    p.add_argument("--resume", action="store_true",
                   help="finish an interrupted run of the same sweep, reusing the chunks in OUT.parts/")
    p.add_argument("--force", action="store_true", help="overwrite the table already at --out PATH")
    p.add_argument("--quiet", action="store_true", help="print nothing but errors (no progress bar)")
    p.add_argument("--chunk", type=_whole, metavar="N",
                   help="runs per chunk of work, rounded up to whole batches (default: about 256 chunks); "
                        "the numbers do not depend on it")
    p.set_defaults(func=cmd_sweep)

    p = sub.add_parser("plot", help="plot a sweep's metric against a parameter (mean and 95%% CI)",
                       description="Plot the mean of a metric with its 95% confidence interval (Student's t) "
                                   "against a swept parameter, one line per firm (and per value of --by), from a "
                                   "table written by `chaingame sweep`. Each interval is over the replications of "
                                   "one combination: when another parameter varies too, name it with --by or fix "
                                   "it with --where (the plot refuses to pool it).")
    p.add_argument("results", metavar="RESULTS", help="a table written by `chaingame sweep` (.parquet or .csv)")
    p.add_argument("--x", required=True, metavar="PARAM",
                   help="the parameter on the x axis, by its dotted path (e.g. defaults.policy.beta)")
    p.add_argument("--y", required=True, metavar="METRIC", help="the metric, e.g. bullwhip, cost or max_bullwhip")
    p.add_argument("--firm", action="append", metavar="F",
                   help='only this firm (repeatable; "chain" for the chain\'s rows; default: every firm with '
                        "the metric, else the chain)")
    p.add_argument("--by", metavar="PARAM", help="one line per value of this second parameter")
    p.add_argument("--where", action="append", metavar="PARAM=VALUE",
                   help="only the rows where a parameter has this value (repeatable)")
    p.add_argument("--formula", choices=["chen-ma"],
                   help="draw a published formula beside each --by line: chen-ma is Chen et al. (2000)'s "
                        "1 + 2L/p + 2L^2/p^2 (x: p, the moving average's weeks; --by: L, the lead time)")
    p.add_argument("--out", metavar="PATH", help="image file, .png, .pdf or .svg (default: RESULTS-METRIC.png)")
    p.add_argument("--quiet", action="store_true", help="print nothing but errors")
    p.set_defaults(func=cmd_plot)

    p = sub.add_parser("replay", help="replay a played or simulated game with some firms on another rule",
                       description="Replay a game on its recorded customer demand: firms given a --rule decide by "
                                   "it, every other firm places its recorded order. Print each firm's recorded and "
                                   "replayed cost and write DIR/history.csv. With no --rule the replay gives back "
                                   "the recorded history exactly.")
    p.add_argument("source", metavar="SOURCE",
                   help="a classroom database (.sqlite3), a session export (.csv or .parquet, with --scenario) or "
                        "a folder `chaingame run` wrote")
    p.add_argument("--rule", action="append", metavar="FIRM=RULE[:KEY=VALUE,...]",
                   help="give FIRM another rule (repeatable): a rule of chaingame.policies with its parameters, "
                        "e.g. retailer=sterman:theta=0,alpha_s=1,beta=1,s_prime=28 or wholesaler=base_stock:level=30; "
                        "retailer=benchmark (Sterman's benchmark rule); retailer=fitted:beta=1 (the firm's own "
                        "fitted rule, here counting all its supply line)")
    p.add_argument("--session", metavar="CODE", help="the session of a database (default: its only session)")
    p.add_argument("--team", type=_whole, metavar="N", help="the team of a session (default: team 1, or the export's "
                                                         "only team)")
    p.add_argument("--scenario", metavar="SCENARIO",
                   help="the game's scenario (required with an export; default: the run's or the session's)")
    p.add_argument("--out", metavar="DIR", help="output folder (default: chaingame-runs/<scenario name>-replay)")
    p.set_defaults(func=cmd_replay)
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
