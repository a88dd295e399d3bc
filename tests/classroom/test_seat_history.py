"""SeatView.history is cached and extended by each closed week: it must stay what a fresh replay shows."""

from chaingame.classroom import Classroom

from .conftest import order, seat_all

FIRMS = ("retailer", "wholesaler", "distributor", "factory")


def rule(firm, week):
    return 3 + (week * 5 + len(firm)) % 9


def replayed(db, tokens):
    """Each seat's history as a new Classroom on the same file rebuilds it (nothing cached yet)."""
    fresh = Classroom(db)
    try:
        return {f: fresh.seat_view(t).history for f, t in tokens.items()}
    finally:
        fresh.close()


def books(room, code, key):
    """Team 1's weeks per firm in the debrief's tidy history (built from the game's records, not the cache)."""
    h = room.debrief(code, key).history
    h = h[h.team == 1]
    return {f: [(int(r.week), r.decided_by, r.order_placed, r.incoming_order, r.inventory, r.backlog, r.cost)
                for r in h[h.firm == f].itertuples()] for f in FIRMS}


def shown(history):
    return [(w.week, w.decided_by, w.order, w.incoming, w.inventory, w.backlog, w.cost) for w in history]


def test_the_cached_history_is_right_after_every_week_and_after_a_restart(db):
    room = Classroom(db)
    host = room.create_session("classic", information="pos", teams=2)  # team 2: bots only, played at start
    tickets = seat_all(room, host.code)
    tokens = {f: t.token for f, t in tickets.items()}
    room.start(host.code, host.host_key)
    for week in range(1, 9):
        if week == 6:  # the host hands the distributor to a bot mid-game: its week 6 is the bot's
            room.set_seat(host.code, host.host_key, 1, "distributor", "bot")
            del tokens["distributor"]
        for i, f in enumerate(tokens):
            v = room.seat_view(tokens[f])
            assert v.week == week and len(v.history) == week - 1
            again = room.seat_view(tokens[f])
            assert again.history is v.history  # read by every page after every change: built once
            room.submit(tokens[f], week, order(v, rule(f, week)))
            if i < len(tokens) - 1:  # a teammate's order does not change a past week
                assert room.seat_view(tokens[f]).history is v.history
        expected = books(room, host.code, host.host_key)
        for f, t in tokens.items():
            history = room.seat_view(t).history
            assert len(history) == week and [w.week for w in history] == list(range(1, week + 1))
            assert shown(history) == expected[f]
            assert all(w.demand is not None for w in history)  # "pos": the seat sees end-customer demand
        assert replayed(db, tokens) == {f: room.seat_view(t).history for f, t in tokens.items()}
    assert [w.decided_by for w in room.seat_view(tokens["retailer"]).history] == ["human"] * 8
    before = {f: room.seat_view(t).history for f, t in tokens.items()}
    room.close()

    again = Classroom(db)  # a restart: the histories come back from the replay, then go on week by week
    assert {f: again.seat_view(t).history for f, t in tokens.items()} == before
    for week in (9, 10):
        for f, t in tokens.items():
            again.submit(t, week, rule(f, week))
        expected = books(again, host.code, host.host_key)
        for f, t in tokens.items():
            history = again.seat_view(t).history
            assert len(history) == week and history[:8] == before[f]
            assert shown(history) == expected[f]
        assert replayed(db, tokens) == {f: again.seat_view(t).history for f, t in tokens.items()}
    h = again.debrief(host.code, host.host_key).history
    assert h[(h.team == 1) & (h.firm == "distributor") & (h.week >= 6)].decided_by.eq("bot").all()
    again.close()
