"""The ``chaingame`` command: run scenarios and list the bundled ones.

Wrong input exits with status 2 and one line on stderr naming the field, the value and what is
allowed; nothing is written before the input has been checked.
"""

from __future__ import annotations

import argparse
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
    from .scenario import bundled, load_scenario

    for name in bundled():
        sc = load_scenario(name)
        print(f"{name:<12} {sc.title or sc.description.strip().splitlines()[0]}")
    return 0


def _fmt(x, spec=".2f"):
    return "-" if x is None or (isinstance(x, float) and math.isnan(x)) else format(x, spec)


def _clean(x):
    if isinstance(x, float) and not math.isfinite(x):
        return None
    return x


def cmd_run(args) -> int:
    from . import metrics
    from .model import ChainModel
    from .scenario import load_scenario
    from .plotting import save_bullwhip

    sc = load_scenario(args.scenario)
    values = _overrides(args.set)
    if args.weeks is not None:
        values["weeks"] = args.weeks
    if values:
        sc = sc.with_values(values)
    out = Path(args.out or Path("chaingame-runs") / sc.name)
    if out.exists() and not out.is_dir():
        raise ScenarioError("--out", f'"{out}" is a file (allowed: a folder, created if missing)')
    model = ChainModel(sc, seed=args.seed)
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
    print(f"{'chain':<28}{_fmt(chain.cost):>10}{_fmt(chain.profit):>10}{_fmt(chain.max_bullwhip):>10}"
          f"{_fmt(chain.fill_rate, '.1%'):>11}")

    out.mkdir(parents=True, exist_ok=True)
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
    save_bullwhip(history, out / "orders.png", title=f"{sc.name}: orders, inventory and backlog per firm")
    print(f"\nwrote {out / 'history.csv'}, {out / 'summary.json'}, {out / 'orders.png'}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="chaingame", description="An agent-based multi-firm value-chain game (beer game).")
    parser.add_argument("--version", action="version", version=f"chaingame {__import__('chaingame').__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    p = sub.add_parser("scenarios", help="list the bundled scenarios, one line each",
                       description="List the bundled scenarios with a one-line description.")
    p.set_defaults(func=cmd_scenarios)

    p = sub.add_parser("run", help="run a scenario and write history.csv, summary.json and orders.png",
                       description="Run a scenario with its decision rules; print cost and bullwhip per firm and "
                                   "write DIR/history.csv, DIR/summary.json and DIR/orders.png.")
    p.add_argument("scenario", metavar="SCENARIO", help="a bundled name (see `chaingame scenarios`) or a .toml path")
    p.add_argument("--seed", type=int, metavar="N", help="demand seed (default: the scenario's)")
    p.add_argument("--weeks", type=int, metavar="N", help="horizon in weeks (default: the scenario's)")
    p.add_argument("--out", metavar="DIR", help="output folder (default: chaingame-runs/<scenario name>)")
    p.add_argument("--set", action="append", metavar="PATH=VALUE",
                   help="change a scenario field by dotted path, e.g. --set firms.retailer.policy.beta=1 "
                        "(repeatable; links.*.shipping_delay=1 sets every link)")
    p.set_defaults(func=cmd_run)
    return parser


def main(argv: list[str] | None = None) -> int:
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
