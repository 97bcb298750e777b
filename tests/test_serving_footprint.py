"""What a serving process loads at start-up: heavy libraries only some requests need stay out
(the serving process's memory budget is 400 MB at province scale, docs/scaling.md)."""

import platform
import subprocess
import sys

import pytest

LAZY = ("scipy",)  # the coverage planner's assignment solver, imported when a bureau plans


def test_the_web_app_does_not_import_what_only_rare_requests_need():
    probe = (
        "import sys\n"
        "from app.asgi import create_served_app\n"
        f"print(','.join(m for m in {LAZY!r} if m in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stdout.strip() == ""


def test_the_planner_still_finds_its_solver():
    import numpy as np

    from app.services.pairing.planner import plan_assignment

    scores = np.array([[5, 1], [4, 3]])
    assert sorted(plan_assignment(scores, [1, 1])) == [(0, 0), (1, 1)]


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="mallopt is glibc's")
def test_the_served_process_limits_malloc_arenas():
    probe = (
        "from app.asgi import limit_malloc_arenas\n"
        "print(limit_malloc_arenas(2), limit_malloc_arenas(0))\n"  # 0: glibc's own default again
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stdout.split() == ["True", "True"]
