from starlette.requests import Request

from app.web.flash import Flash, flash, fragment_flashes, pop_flashes


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


def test_a_fragment_takes_the_queued_messages_out_of_band_escaped():
    session: dict = {}
    request = make_request(session)
    flash(request, "<b>已停用</b>", level="success")
    markup = str(fragment_flashes(request))
    assert markup == (
        '<div id="flash" hx-swap-oob="beforeend">'
        '<p class="flash flash--success">&lt;b&gt;已停用&lt;/b&gt;</p></div>'
    )
    # Taken: the next page (or fragment) has nothing left to show.
    assert pop_flashes(request) == [] and str(fragment_flashes(request)) == ""
