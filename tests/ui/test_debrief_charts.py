"""The debrief's figures agree with its tables (two paths, one game), and each is drawn once per state."""

import numpy as np

from chaingame import figures
from chaingame.classroom import Classroom
from chaingame.ui import charts, debrief


def test_debrief_cost_bars_are_the_tables_costs_and_pngs_are_cached(tmp_path):
    room = Classroom(tmp_path / "classroom.sqlite3")
    try:
        host = room.create_session("network", teams=2, seed=4)
        room.start(host.code, host.host_key)  # nobody joined: the bot seats play both teams' whole game
        data = room.debrief(host.code, host.host_key)
    finally:
        room.close()
    chains = debrief._compared(data)
    assert list(chains) == ["team 1", "team 2", "bots"]
    firms = list(dict.fromkeys(data.bot_history["firm"]))
    bars = figures.cost_figure(chains).axes[0].patches  # firm by firm, a bar per chain
    heights = np.array([b.get_height() for b in bars]).reshape(len(firms), 3)
    for j, team in enumerate((1, 2)):
        table = data.firms[data.firms["team"] == team].set_index("firm")["cost"]
        np.testing.assert_allclose(heights[:, j], table[firms])
    np.testing.assert_allclose(heights[:, 2], data.bots.set_index("firm")["cost"][firms])

    drawn = []

    def build():
        drawn.append(1)
        return figures.orders_figure({"team 1": debrief._team(data, 1), "bots": data.bot_history}, size=debrief.SIZE)

    key = (data.code, "test", "orders")
    png = charts.cached_png(key, build)
    width, height = (int.from_bytes(png[i:i + 4], "big") for i in (16, 20))
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and (width, height) == tuple(
        int(inches * charts.DPI) for inches in debrief.SIZE)
    assert charts.cached_png(key, build) is png and len(drawn) == 1
