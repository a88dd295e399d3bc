"""Audit of issue 14 item 1: every seat of every bundled scenario, from outside (checkers, ChainModel)."""

import warnings

import numpy as np
import pytest

pytest.importorskip("gymnasium")
pytest.importorskip("pettingzoo")

import chaingame as cg  # noqa: E402
from chaingame.engine import COLUMNS  # noqa: E402
from chaingame.rl import ChainEnv, ChainParallelEnv, ChainVectorEnv  # noqa: E402
from chaingame.scenario import bundled  # noqa: E402
from tests.test_rl import Replay, ReplayCapacity, Watcher, same  # noqa: E402

SCENARIOS = sorted(bundled())


def short(name):
    sc = cg.load_scenario(name)
    return sc.with_values({"weeks": min(sc.weeks, 12)})


@pytest.mark.parametrize("name", SCENARIOS)
def test_every_seat_passes_the_checkers(name):
    """check_env for every firm and both rewards, parallel_api_test for the scenario (VMI suppliers and
    bill-of-materials producers included: their observations carry the VMI view and the component books)."""
    from gymnasium.utils.env_checker import check_env
    from pettingzoo.test import parallel_api_test

    sc = cg.load_scenario(name)
    for firm in sc.firm_ids:
        for reward in ("cost", "profit"):
            env = ChainEnv(sc, firm=firm, reward=reward)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # Gymnasium's advice on unbounded action spaces
                check_env(env, skip_render_check=True)
            assert env.action_space.shape == (2 if sc.firms[env.index].production else 1,)
    parallel_api_test(ChainParallelEnv(sc), num_cycles=sc.weeks + 2)


def value(obs, name):
    """The entry ``name`` of observation_names, read from the Observation's fields by hand."""
    head, _, rest = name.partition(".")
    if not rest:
        v = getattr(obs, head)
        return float(v) if np.ndim(v) == 0 else v[0]
    v = getattr(obs, head)
    if head in ("chain", "vmi"):
        book, firm = rest.split(".")
        ids = v.firms if head == "chain" else v.customers
        return getattr(v, book)[ids.index(firm), 0]
    if head.endswith("_parts"):
        return v[obs.components.index(rest), 0]
    return v[int(rest), 0]


@pytest.mark.parametrize("name", SCENARIOS)
def test_every_seat_observes_its_firms_observation_and_plays_chain_models_game(name):
    """Every firm learning with fixed random actions (order, and capacity target for a producer), R = 2, two
    episodes: every firm's books are ChainModel's bit for bit; each entry of the observation is that firm's
    Observation field in ChainModel, and every numeric field of it has an entry (nothing else: no other
    firm's data beyond what the mode and VMI show)."""
    sc = short(name)
    R, W, seed = 2, sc.weeks, 11
    for f, firm in enumerate(sc.firm_ids):
        env = ChainVectorEnv(sc, num_envs=R, firm=firm, keep_books=True)
        k = env.single_action_space.shape[0]
        acts = np.random.default_rng(f).uniform(0, 12, (2, W, R, k))
        names = env.observation_names
        if sc.information == "silo":
            assert not any(n == "demand" or n.startswith("chain.") for n in names)
        obs, _ = env.reset(seed=seed)
        for ep in range(2):
            books, seen = [], []
            for w in range(W):
                seen.append(obs)
                obs, *_ = env.step(acts[ep, w])
                books.append(env.books)
            obs, *_ = env.step(np.zeros((R, k)))  # autoreset
            for r in range(R):
                rule = Replay(acts[ep, :, r, 0])
                rule = (rule, ReplayCapacity(acts[ep, :, r, 1])) if k == 2 else rule
                m = cg.ChainModel(sc, seed=seed, replication=ep * R + r, policies={firm: rule})
                for w in range(W):
                    m.step()
                    theirs = m.firms[firm].observation
                    assert same(seen[w][r], [value(theirs, n) for n in names]), (firm, ep, r, w)
                h = m.history()
                for c in COLUMNS:
                    mine = np.stack([b[c][:, r] for b in books])
                    assert same(mine, h[c].to_numpy().reshape(W, len(sc.firms))), (firm, ep, r, c)
            for fld in ("chain", "vmi", "raw_parts", "on_order_parts", "price_ahead", "demand"):
                shown = getattr(theirs, fld) is not None
                assert shown == any(n.split(".")[0] == fld for n in names), (firm, fld)


def test_a_vendor_managed_firms_rule_sees_what_vmi_shows_its_supplier():
    """With the distributor learning on the VMI board, the retailer's VMI rule decides on the wholesaler's view
    of it (what VMI does not show is NaN), as in ChainModel, not on the retailer's own books."""
    sc = cg.load_scenario("vmi").with_values({"weeks": 8})
    rule = next(k.vmi for k in sc.links if k.vmi is not None)
    in_env, in_model = Watcher(rule), Watcher(rule)
    env = ChainEnv(sc, firm="distributor", policies={"retailer": in_env})
    env.reset(seed=1)
    for _ in range(8):
        env.step([5.0])
    cg.ChainModel(sc, seed=1, policies={"retailer": in_model, "distributor": Replay([5.0] * 8)}).run()
    assert len(in_env.seen) == len(in_model.seen) == 8
    for a, b in zip(in_env.seen, in_model.seen):
        assert np.isnan(a.cost).all()
        for fld in ("inventory", "backlog", "on_order", "incoming", "cost", "received"):
            assert same(getattr(a, fld), getattr(b, fld)), fld
