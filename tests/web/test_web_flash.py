from starlette.requests import Request

from app.web.flash import Flash, flash, pop_flashes


def make_request(session=None) -> Request:
    scope = {"type": "http", "method": "GET", "path": "/", "headers": []}
    if session is not None:
        scope["session"] = session
    return Request(scope)


def test_flashes_queue_in_the_session_and_pop_once():
    session: dict = {}
    request = make_request(session)
    flash(request, "已提交", level="success")
    flash(request, "请补充佐证材料")
    assert pop_flashes(request) == [Flash("已提交", "success"), Flash("请补充佐证材料", "info")]
    assert pop_flashes(request) == []
    assert session == {}


def test_without_a_session_there_are_no_flashes():
    assert pop_flashes(make_request()) == []
