"""Train an order-up-to policy for the retailer against the subjects' Sterman bots, numpy only.

    python examples/rl_retailer.py [--iterations 12] [--population 24] [--replications 100]
                                   [--test 2000] [--seed 1] [--test-seed 2] [--scenario stochastic]

The retailer of the ``stochastic`` board (iid demand uniform on 0..8 cases, Croson & Donohue 2006)
learns; the wholesaler, distributor and factory keep the scenario's rule, Sterman's (1989)
anchoring and adjustment with the subjects' mean estimates. The retailer's policy is a linear
order-up-to rule on its own observation (silo information):

    order_t = d · incoming_t + a · (S − position_t),   position = on hand − backlog + supply line,

and the search is the cross-entropy method (Rubinstein 1999; de Boer et al. 2005): each iteration
draws ``--population`` parameter vectors (d, a, S) from a normal distribution, plays each on
``--replications`` replications at once in one :class:`chaingame.rl.ChainVectorEnv` (one block
of replications per candidate, fresh replications each iteration), keeps the quarter with the
lowest retailer cost, and moves the distribution to them.

The learned rule is then judged on held-out demand: ``--test`` replications of another seed,
against the Sterman rule on the same replications (``chaingame.simulate``), with the paired
difference and its 95% interval (common random numbers: both rules see the same demand).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import chaingame as cg  # noqa: E402
from chaingame.paired import interval  # noqa: E402
from chaingame.rl import ChainVectorEnv  # noqa: E402

FIRM = "retailer"
START = np.array([1.0, 0.5, 20.0])  # d, a, S: pass demand on, close half the gap, a level of 20 cases
SPREAD = np.array([0.5, 0.3, 10.0])  # the search's first standard deviations
ELITE = 0.25  # share of each population kept


def orders(params: np.ndarray, obs: np.ndarray, names: tuple[str, ...]) -> np.ndarray:
    """The linear order-up-to rule for rows of observations; ``params`` (R, 3), one row per replication."""
    col = {n: i for i, n in enumerate(names)}
    position = obs[:, col["inventory"]] - obs[:, col["backlog"]] + obs[:, col["on_order"]]
    d, a, level = params.T
    return (d * obs[:, col["incoming"]] + a * (level - position))[:, None]


def episode_cost(env: ChainVectorEnv, params: np.ndarray, seed: int | None = None) -> np.ndarray:
    """Play one episode of every replication of ``env`` with rule parameters ``params`` (R, 3) and
    return each replication's total retailer cost ($)."""
    obs, _ = env.reset(seed=seed)
    total = np.zeros(env.num_envs)
    while True:
        obs, reward, terminated, _, _ = env.step(orders(params, obs, env.observation_names))
        total -= reward
        if terminated.all():
            return total


def train(scenario: str, iterations: int, population: int, replications: int, seed: int,
          log=print) -> np.ndarray:
    """The cross-entropy search; returns the mean of the final distribution (d, a, S)."""
    rng = np.random.default_rng(seed)
    env = ChainVectorEnv(scenario, num_envs=population * replications, firm=FIRM)
    env.reset(seed=seed)  # training replications of `seed`; each episode the next block of them
    mean, sd = START.copy(), SPREAD.copy()
    keep = max(2, int(round(ELITE * population)))
    for it in range(1, iterations + 1):
        candidates = mean + sd * rng.standard_normal((population, 3))
        cost = episode_cost(env, np.repeat(candidates, replications, axis=0))
        score = cost.reshape(population, replications).mean(axis=1)
        elite = candidates[np.argsort(score)[:keep]]
        mean, sd = elite.mean(axis=0), elite.std(axis=0) + 1e-3
        log(f"iteration {it:2d}: best candidate ${score.min():8.2f}, elite mean ${np.sort(score)[:keep].mean():8.2f}"
            f"   d = {mean[0]:.3f}, a = {mean[1]:.3f}, S = {mean[2]:.2f}")
    return mean


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenario", default="stochastic")
    ap.add_argument("--iterations", type=int, default=12)
    ap.add_argument("--population", type=int, default=24)
    ap.add_argument("--replications", type=int, default=100, help="training replications per candidate")
    ap.add_argument("--test", type=int, default=2000, help="held-out replications")
    ap.add_argument("--seed", type=int, default=1, help="training seed (demand and search)")
    ap.add_argument("--test-seed", type=int, default=2, help="held-out seed (another demand)")
    args = ap.parse_args(argv)
    if args.test_seed == args.seed:
        ap.error(f"--test-seed: must differ from --seed (got {args.test_seed}): held-out demand is another seed's")
    t = time.perf_counter()
    params = train(args.scenario, args.iterations, args.population, args.replications, args.seed)
    d, a, level = params
    print(f"learned rule: order = {d:.3f} x incoming + {a:.3f} x ({level:.2f} - position)   "
          f"(trained in {time.perf_counter() - t:.1f} s)")

    test = ChainVectorEnv(args.scenario, num_envs=args.test, firm=FIRM)
    learned = episode_cost(test, np.tile(params, (args.test, 1)), seed=args.test_seed)
    firms = cg.simulate(args.scenario, args.test, seed=args.test_seed).firms
    sterman = firms[firms.firm == FIRM].sort_values("replication").cost.to_numpy()
    diff = interval(learned - sterman)
    print(f"held-out demand (seed {args.test_seed}, {args.test:,} replications), retailer cost per game: "
          f"Sterman rule ${sterman.mean():.2f}, learned ${learned.mean():.2f}, "
          f"difference ${diff.mean:.2f} +/- {diff.half:.2f} (95%)")


if __name__ == "__main__":
    main()
