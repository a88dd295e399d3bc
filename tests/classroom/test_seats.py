"""Seats: joining, placement, occupied seats, tokens, hand-over between humans and bots."""

import sqlite3

import pytest

from chaingame.classroom import Forbidden, InputError, NotFound, SeatTaken

from .conftest import order, seat_all


def test_join_places_players_team_by_team_in_chain_order(room):
    host = room.create_session("classic", teams=2)
    seats = [room.join(host.code, f"p{i}") for i in range(6)]
    assert [(s.team, s.firm) for s in seats] == [
        (1, "retailer"), (1, "wholesaler"), (1, "distributor"), (1, "factory"), (2, "retailer"), (2, "wholesaler")]
    assert len({s.token for s in seats}) == 6
    assert room.join_view(host.code).free == ((2, "distributor"), (2, "factory"))


def test_join_asks_for_a_team_or_a_firm(room):
    host = room.create_session("classic", teams=3)
    assert (room.join(host.code, "a", firm="factory").team, room.join(host.code, "b", firm="factory").team) == (1, 2)
    s = room.join(host.code, "c", team=3)
    assert (s.team, s.firm) == (3, "retailer")
    assert room.join(host.code.lower(), "d", team=2, firm="retailer").firm == "retailer"  # codes ignore case


def test_an_occupied_seat_is_refused(room):
    host = room.create_session("classic")
    room.join(host.code, "Alice", team=1, firm="retailer")
    with pytest.raises(SeatTaken, match=r"^seat: team 1 retailer is taken by Alice \(ask the host to release it\)$"):
        room.join(host.code, "Mallory", team=1, firm="retailer")
    seat_all(room, host.code, firms=("wholesaler", "distributor", "factory"))
    with pytest.raises(SeatTaken, match=r"^seat: no free seat of session"):
        room.join(host.code, "Late")
    with pytest.raises(SeatTaken, match=r"no free factory seat"):
        room.join(host.code, "Late", firm="factory")


def test_join_checks_its_arguments(room):
    host = room.create_session("classic", teams=2)
    with pytest.raises(NotFound, match=r'^code: "NOPE12" is not a session code$'):
        room.join("NOPE12", "x")
    with pytest.raises(InputError, match=r"^name: is empty"):
        room.join(host.code, "   ")
    with pytest.raises(InputError, match=r"^name: has 41 characters"):
        room.join(host.code, "x" * 41)
    with pytest.raises(InputError, match=r"^team: 3 is not a team of session \w+ \(allowed: 1 to 2\)$"):
        room.join(host.code, "x", team=3)
    with pytest.raises(InputError, match=r'^firm: "brewery" is not a firm of this game \(allowed: retailer, '):
        room.join(host.code, "x", firm="brewery")


def test_a_refreshed_page_keeps_its_seat_with_its_token(room):
    host = room.create_session("classic")
    t = room.join(host.code, "Alice")
    assert room.resume(t.token) == t
    assert room.seat_view(t.token).player == "Alice"
    with pytest.raises(NotFound, match=r"^token: is not a seat of any session"):
        room.resume("not-a-token")


def test_only_hashes_of_tokens_and_host_keys_are_stored(room, db):
    host = room.create_session("classic")
    t = room.join(host.code, "Alice")
    raw = db.read_bytes() + (db.parent / (db.name + "-wal")).read_bytes()
    assert host.code.encode() in raw
    assert host.host_key.encode() not in raw and t.token.encode() not in raw


def test_code_alphabet_has_no_ambiguous_characters(room):
    codes = {room.create_session("classic").code for _ in range(30)}
    assert all(len(c) == 6 and not set(c) & set("0O1I") for c in codes)


def test_host_hands_a_seat_to_a_bot_mid_game_and_back_to_a_new_player(room):
    host = room.create_session("classic")
    seats = seat_all(room, host.code)
    room.start(host.code, host.host_key)
    for _ in range(6):
        for t in seats.values():
            v = room.seat_view(t.token)
            room.submit(t.token, v.week, order(v, 5))
    assert room.seat_view(seats["retailer"].token).week == 7
    # the wholesaler leaves: a bot takes the seat; the old token stops working
    room.set_seat(host.code, host.host_key, 1, "wholesaler", "bot")
    with pytest.raises(Forbidden, match=r"^token: the host handed this seat to a bot"):
        room.seat_view(seats["wholesaler"].token)
    for f in ("retailer", "distributor", "factory"):
        room.submit(seats[f].token, 7, 5)
    hv = room.host_view(host.code, host.host_key)
    assert hv.teams[0].week == 8 and hv.teams[0].seats[1].mode == "bot"
    assert hv.teams[0].seats[1].submitted and hv.teams[0].seats[1].decided_by == "bot"
    # back to humans: a new player takes the seat from the next week on
    room.set_seat(host.code, host.host_key, 1, "wholesaler", "human")
    with pytest.raises(SeatTaken):
        room.join(host.code, "Zoe", firm="retailer")
    zoe = room.join(host.code, "Zoe")
    assert (zoe.team, zoe.firm) == (1, "wholesaler")
    v = room.seat_view(zoe.token)
    assert v.week == 8 and not v.can_submit and v.decision.decided_by == "bot"  # the bot decided week 8 already
    assert len(v.history) == 7  # the seat's past is hers to see
    for f in ("retailer", "distributor", "factory"):
        room.submit(seats[f].token, 8, 5)
    v = room.seat_view(zoe.token)
    assert v.week == 9 and v.can_submit and v.waiting == 4
    room.submit(zoe.token, 9, 6)
    h = room.debrief(host.code, host.host_key).history
    w = h[h.firm == "wholesaler"].set_index("week")
    assert len(w) == 8  # week 9 waits for three seats
    assert list(w.loc[[6, 7, 8], "decided_by"]) == ["human", "bot", "bot"]
    assert w.loc[6, "player"] == "P-1-wholesaler" and w.loc[7, "reason"] == "bot_seat"


def test_release_seat_frees_it_for_a_new_player(room):
    host = room.create_session("classic")
    alice = room.join(host.code, "Alice")
    with pytest.raises(Forbidden, match=r"^host_key: is not the host key"):
        room.release_seat(host.code, "guess", 1, "retailer")
    room.release_seat(host.code, host.host_key, 1, "retailer")
    with pytest.raises(Forbidden, match=r"^token: the host released this seat \(join session \w+ again\)$"):
        room.submit(alice.token, 1, 4)
    with pytest.raises(InputError, match=r"^seat: team 1 retailer has no player to release$"):
        room.release_seat(host.code, host.host_key, 1, "retailer")
    bob = room.join(host.code, "Bob")
    assert (bob.team, bob.firm) == (1, "retailer")
    assert room.host_view(host.code, host.host_key).teams[0].seats[0].player == "Bob"


def test_bot_seats_cannot_be_joined(room):
    host = room.create_session("classic")
    room.set_seat(host.code, host.host_key, 1, "retailer", "bot")
    with pytest.raises(SeatTaken, match=r"^seat: team 1 retailer is played by a bot"):
        room.join(host.code, "x", team=1, firm="retailer")
    assert room.join(host.code, "x").firm == "wholesaler"
    with pytest.raises(InputError, match=r'^mode: "robot" is not a seat mode'):
        room.set_seat(host.code, host.host_key, 1, "retailer", "robot")


def test_seats_survive_in_the_database(room, db):
    host = room.create_session("classic", teams=2)
    room.join(host.code, "Alice", team=2, firm="factory")
    con = sqlite3.connect(db)
    assert con.execute("SELECT team, firm, name FROM players").fetchall() == [(2, "factory", "Alice")]
    assert con.execute("SELECT COUNT(*) FROM seats WHERE mode='human'").fetchone() == (8,)
