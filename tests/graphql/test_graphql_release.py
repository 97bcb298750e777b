"""An operation lets go of what it loaded when it ends (``Context.release``): the rows, the
loaders' futures and batches leave with their last reference, not at the garbage collector's
next pass (which cost about 2 ms of each village page, bench/README.md)."""

import gc

from sqlmodel import SQLModel

from app.actors import Actor, Role
from tests.graphql.conftest import data_of, execute

CITY_BUREAU = Actor(role=Role.bureau, region_code="140800", name="市局")
PAGE = """{
  villages(first: 20) {
    nodes {
      name county { name }
      agreements(first: 5) { nodes { number enterprise { name } latestReport { period } } }
    }
  }
}"""


def test_no_loaded_row_waits_for_the_garbage_collector(world_db):
    data_of(execute(world_db, PAGE, actor=CITY_BUREAU))  # warm: caches of the process
    gc.collect()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        data = data_of(execute(world_db, PAGE, actor=CITY_BUREAU))
        gc.collect()
        rows = [obj for obj in gc.garbage if isinstance(obj, SQLModel)]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()
    agreements = [a for v in data["villages"]["nodes"] for a in v["agreements"]["nodes"]]
    assert agreements  # the page did load rows
    assert rows == []
