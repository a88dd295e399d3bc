"""The reinforcement-learning environments (chaingame.rl) drive the real engine: checkers, paths that agree."""

import re
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

gym = pytest.importorskip("gymnasium")
pytest.importorskip("pettingzoo")

import chaingame as cg  # noqa: E402
from chaingame.engine import COLUMNS  # noqa: E402
from chaingame.observe import _OWN  # noqa: E402
from chaingame.policies import CapacityRule, Policy  # noqa: E402
from chaingame.rl import ChainEnv, ChainParallelEnv, ChainVectorEnv  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


class Replay(Policy):
    """Orders ``orders[week - 1]`` (R,), whatever it sees: a fixed action sequence."""

    def __init__(self, orders):
        self.orders = np.asarray(orders, float)

    def decide(self, obs, memory):
        return np.broadcast_to(self.orders[obs.week - 1], obs.incoming.shape).copy()


class ReplayCapacity(CapacityRule):
    def __init__(self, targets):
        self.targets = np.asarray(targets, float)

    def target(self, obs, memory):
        return np.broadcast_to(self.targets[obs.week - 1], obs.capacity.shape).copy()


class Watcher(Policy):
    """Decides by ``rule``, keeping every observation it is given."""

    def __init__(self, rule):
        self.rule, self.seen = rule, []

    def decide(self, obs, memory):
        self.seen.append(obs)
        return self.rule.decide(obs, memory)


def same(a, b) -> bool:
    return np.array_equal(np.asarray(a, float), np.asarray(b, float), equal_nan=True)


def check(env) -> list[str]:
    """Gymnasium's checker; returns the warnings it gave (none of them may be an error)."""
    from gymnasium.utils.env_checker import check_env

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        check_env(env, skip_render_check=True)
    return [str(w.message) for w in caught]


@pytest.mark.parametrize("scenario, firm", [("classic", "retailer"), ("classic", "factory"),
                                            ("stochastic", "wholesaler"), ("promotions", "retailer")])
def test_chain_env_passes_gymnasiums_checker(scenario, firm):
    env = ChainEnv(scenario, firm=firm)
    check(env)
    producer = bool(env.scenario.firms[env.index].production)
    assert env.action_space.shape == ((2,) if producer else (1,))
    assert env.observation_space.shape == (len(env.observation_names),)


def test_every_information_mode_passes_the_checker_and_shows_what_the_mode_adds():
    sc = cg.load_scenario("network")
    names = {m: ChainEnv(sc.with_values({"information": m}), firm="distributor") for m in ("silo", "pos", "full")}
    for env in names.values():
        check(env)
    assert names["silo"].observation_names == ("week", *_OWN)
    assert names["pos"].observation_names == ("week", *_OWN, "demand")
    chain = names["full"].observation_names[len(_OWN) + 2:]
    assert len(chain) == 5 * len(sc.firms) and all(n.startswith("chain.") for n in chain)
    assert "chain.inventory.north" in chain


def test_parallel_env_passes_pettingzoos_api_test():
    from pettingzoo.test import parallel_api_test

    env = ChainParallelEnv("classic")
    parallel_api_test(env, num_cycles=100)
    assert env.possible_agents == ["retailer", "wholesaler", "distributor", "factory"]
    assert env.action_space("factory").shape == (2,) and env.action_space("retailer").shape == (1,)


def test_parallel_env_replaying_the_rules_decisions_plays_chain_models_game():
    """Every agent placing the order its Sterman rule placed in ChainModel (the factory keeping its
    capacity) gets ChainModel's costs week by week: Sterman's classic game, $2,694 in all."""
    h = cg.ChainModel("classic").run().history()
    env = ChainParallelEnv("classic")
    obs, _ = env.reset(seed=1)
    costs = []
    for w in range(1, 37):
        week = h[h.week == w].set_index("firm")
        actions = {a: [week.order_placed[a], week.capacity[a]] if a == "factory" else [week.order_placed[a]]
                   for a in env.agents}
        obs, rewards, terminated, truncated, _ = env.step(actions)
        costs.append([-rewards[a] for a in env.possible_agents])
        assert all(terminated.values()) == (w == 36) and not any(truncated.values())
    assert env.agents == []
    assert same(costs, h.cost.to_numpy().reshape(36, 4)) and sum(map(sum, costs)) == 2694.0


def test_vector_env_equals_chain_model_replication_by_replication():
    """Fixed random actions for the retailer, R = 3 replications at once, two episodes (autoreset):
    each replication's books are ChainModel's with the retailer's orders fixed, bit for bit."""
    sc = cg.load_scenario("stochastic").with_values({"weeks": 12})
    R, W, seed = 3, sc.weeks, 7
    acts = np.random.default_rng(0).uniform(0, 12, (2, W, R))
    env = ChainVectorEnv(sc, num_envs=R, firm="retailer", keep_books=True)
    obs, _ = env.reset(seed=seed)
    for episode in range(2):
        books = []
        for w in range(W):
            obs, reward, terminated, truncated, _ = env.step(acts[episode, w][:, None])
            books.append(env.books)
            assert same(reward, -env.books["cost"][0]) and not truncated.any()
            assert terminated.all() == (w == W - 1)
        obs, reward, terminated, _, _ = env.step(np.zeros((R, 1)))  # next-step autoreset: a new episode
        assert (reward == 0).all() and not terminated.any() and (obs[:, 0] == 1).all()
        for r in range(R):
            h = cg.ChainModel(sc, seed=seed, replication=episode * R + r,
                              policies={"retailer": Replay(acts[episode, :, r])}).run().history()
            for c in COLUMNS:
                mine = np.stack([b[c][:, r] for b in books])  # (W, F)
                assert same(mine, h[c].to_numpy().reshape(W, len(sc.firms))), (episode, r, c)


def test_vector_env_works_with_gymnasiums_vector_wrappers():
    """RecordEpisodeStatistics reads the next-step autoreset mode: one episode return per replication
    per episode, equal to the rewards summed."""
    from gymnasium.wrappers.vector import RecordEpisodeStatistics

    sc = cg.load_scenario("stochastic").with_values({"weeks": 10})
    env = RecordEpisodeStatistics(ChainVectorEnv(sc, num_envs=4))
    env.reset(seed=2)
    returns, total = [], np.zeros(4)
    for _ in range(2 * (sc.weeks + 1)):
        _, reward, _, _, info = env.step(np.full((4, 1), 4.0))
        total += reward
        if "episode" in info:
            returns.append(info["episode"]["r"])
            assert same(info["episode"]["r"], total) and (info["episode"]["l"] == sc.weeks).all()
            total[:] = 0
    assert len(returns) == 2 and not same(returns[0], returns[1])  # the second episode: other replications


def test_chain_env_equals_chain_model_with_the_learners_decisions_fixed():
    """The manufacturer learns on the capacity board: its orders and capacity targets replayed in ChainModel
    give the same books of every firm, and its observations are the ones ChainModel's manufacturer sees."""
    sc = cg.load_scenario("capacity").with_values({"weeks": 14})
    rng = np.random.default_rng(1)
    order, target = rng.uniform(0, 15, sc.weeks), rng.uniform(0, 15, sc.weeks)
    env = ChainEnv(sc, firm="manufacturer", reward="profit")
    env.reset(seed=3)
    obs, _ = env.reset()  # replication 1 of seed 3
    seen, books, rewards = [], [], []
    for w in range(sc.weeks):
        seen.append(obs)
        obs, reward, terminated, _, info = env.step([order[w], target[w]])
        books.append(env.books)
        rewards.append(reward)
        assert info["replication"] == 1 and terminated == (w == sc.weeks - 1)
    watch = Watcher(Replay(order))
    rules = {"manufacturer": (watch, ReplayCapacity(target))}
    h = cg.ChainModel(sc, seed=3, replication=1, policies=rules).run().history()
    for c in COLUMNS:
        assert same(np.stack([b[c][:, 0] for b in books]), h[c].to_numpy().reshape(sc.weeks, -1)), c
    assert same(rewards, h[h.firm == "manufacturer"].profit)
    for mine, theirs in zip(seen, watch.seen):
        assert same(mine, [theirs.week, *(getattr(theirs, k)[0] for k in _OWN)])


def test_silo_observation_carries_the_learners_own_books_only():
    """In silo the observation is the firm's own fields, each equal to that firm's Observation in
    ChainModel (the env's firm placing the orders ChainModel's rule placed), and none of them is another
    firm's: the other retailer (north) has other books."""
    sc = cg.load_scenario("network")
    assert sc.information == "silo"
    rules = {f.id: Watcher(f.policy) for f in sc.firms}
    h = cg.ChainModel(sc, weeks=10, policies=rules).run().history()
    placed = h[h.firm == "south"].order_placed.to_numpy()
    env = ChainEnv(sc.with_values({"weeks": 10}), firm="south")
    obs, _ = env.reset(seed=sc.seed)
    assert env.observation_names == ("week", *_OWN)

    def row(o):
        return [o.week, *(getattr(o, k)[0] for k in _OWN)]

    for w in range(10):
        theirs = rules["south"].seen[w]
        assert theirs.demand is None and theirs.chain is None
        assert same(obs, row(theirs)), w
        obs, *_ = env.step([placed[w]])
    assert any(not same(row(a), row(b)) for a, b in zip(rules["north"].seen, rules["south"].seen))


def test_seeds_play_the_replications_of_the_engine():
    env = ChainEnv("stochastic")
    first, _ = env.reset(seed=5)
    again, _ = env.reset(seed=5)
    assert same(first, again)
    demand = cg.simulate("stochastic", 3, seed=5, history=True).history
    for r in range(3):
        env.reset(seed=5) if r == 0 else env.reset()
        obs, *_ = env.step([4.0])
        col = env.observation_names.index("incoming")
        retailer = demand[(demand.replication == r) & (demand.firm == "retailer")]
        assert obs[col] == retailer.incoming_order.iloc[1]


def test_bad_input_gets_a_one_line_error_naming_the_field():
    with pytest.raises(cg.ScenarioError, match=r'^firm: "shop" is not a firm of classic \(firms: retailer, '):
        ChainEnv("classic", firm="shop")
    with pytest.raises(cg.ScenarioError, match=r"^policies\.retailer: is the learning firm \(allowed: rules of the "):
        ChainEnv("classic", firm="retailer", policies={"retailer": cg.policies.PassThrough()})
    with pytest.raises(cg.ScenarioError, match=r'^reward: "money" is not allowed \(allowed: "cost", "profit"\)$'):
        ChainVectorEnv("classic", reward="money")
    env = ChainVectorEnv("classic", num_envs=2)
    env.reset(seed=1)
    with pytest.raises(cg.ScenarioError, match=r"^actions: has shape \(3,\) \(allowed: 1 number\(s\) per replication"):
        env.step(np.zeros(3))
    with pytest.raises(cg.ScenarioError, match=r"^seed: \[1, 2\] is not one whole number"):
        env.reset(seed=[1, 2])


def test_example_learns_a_retailer_rule_that_beats_sterman_on_held_out_demand():
    p = subprocess.run([sys.executable, str(ROOT / "examples" / "rl_retailer.py"), "--iterations", "3",
                        "--population", "8", "--replications", "20", "--test", "300"],
                       capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert p.returncode == 0, p.stderr
    m = re.search(r"held-out demand \(seed 2, 300 replications\).*Sterman rule \$([\d.]+), learned \$([\d.]+), "
                  r"difference \$(-?[\d.]+) \+/- ([\d.]+)", p.stdout)
    assert m, p.stdout
    sterman, learned, diff, half = map(float, m.groups())
    assert learned < sterman and diff + half < 0
