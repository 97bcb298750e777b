from sqlmodel import select

from app.models import County


def test_session_rolls_back_between_tests_part1(session):
    session.add(County(code="140802", name="盐湖区", category="demonstration"))
    session.commit()
    assert session.exec(select(County)).one().name == "盐湖区"


def test_session_rolls_back_between_tests_part2(session):
    assert session.exec(select(County)).all() == []
