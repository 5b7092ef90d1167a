"""Readers against a writer (issue 12): several threads evaluate, roll up, derive and evaluate a
standard on one shared plan while another thread keeps adding indicators and entities to it.

The C++ calls run without the GIL and register the plan as being read; Plan.add_* refuses to
change a plan that is being read (planeval.Error) instead of reallocating what the readers use.
So every call either succeeds or raises planeval.Error, nothing crashes, and some writes are
refused (with 400 writes against four busy readers, a scenario in which none is refused has a
reader that does not register the plan). Each scenario runs
in a child process, so that a crash (a segfault is what a missing guard produces) fails the test
instead of killing pytest; faulthandler prints the child's Python stacks then.
"""

from __future__ import annotations

import ast
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent.parent

# The child: READERS threads call the scenario's function in a loop while one thread adds
# indicators and entities, for at most SECONDS or until the writer has made WRITES calls. Prints
# one summary line; exits 1 if any call raised something other than planeval.Error.
CHILD = textwrap.dedent(
    """
    import datetime, faulthandler, sys, threading, time, traceback
    faulthandler.enable()
    import planeval

    scenario, root = sys.argv[1], sys.argv[2]
    READERS, SECONDS, WRITES = 4, 8.0, 400
    plan = planeval.example_plan()
    for sid in sorted({t.standard for t in plan.targets if t.standard}):
        plan.add_standard_indicators(planeval.builtin_standard(sid))
    obs, _ = planeval.read_csv(plan, root + "/examples/baijiantan/illustrative_observations.csv")
    std = planeval.builtin_standard("compulsory_quality_balance_2017")
    as_of = datetime.date(2023, 12, 31)

    def evaluate(k):
        plan.evaluate(obs, as_of=as_of, threads=1 + k % 2)
    def rollup(k):
        plan.rollup(obs, level="district", by_stage=k % 2 == 0, threads=2)
    def derive(k):
        planeval.derive(plan, obs)
    def standard(k):
        planeval.evaluate_standard(std, plan, obs, period=2023)
    def mixed(k):
        (evaluate, rollup, derive, standard)[k % 4](k)
    read = {"evaluate": evaluate, "rollup": rollup, "derive": derive, "standard": standard,
            "mixed": mixed}[scenario]

    stop = threading.Event()
    lock = threading.Lock()
    counts = {"read": 0, "read_error": 0, "write": 0, "write_error": 0}
    bad = []

    def count(key):
        with lock:
            counts[key] += 1

    def reader(k):
        i = 0
        while not stop.is_set():
            try:
                read(k + i)
                count("read")
            except planeval.Error:
                count("read_error")
            except BaseException:
                bad.append("reader: " + traceback.format_exc())
                stop.set()
            i += 1
            time.sleep(0.001)  # let the writer in now and then

    def writer():
        parent = plan.entity("stage_primary").id
        for i in range(WRITES):
            if stop.is_set():
                break
            try:
                if i % 2:
                    ind = planeval.Indicator(f"stress_indicator_{i}", "压力测试指标", "人", "count")
                    plan.add_indicator(ind)
                else:
                    plan.add_entity(planeval.Entity(f"stress_school_{i}", "压力测试学校", "school", parent))
                count("write")
            except planeval.Error:
                count("write_error")
            except BaseException:
                bad.append("writer: " + traceback.format_exc())
                stop.set()
            time.sleep(0.0005)

    threads = [threading.Thread(target=reader, args=(k,)) for k in range(READERS)]
    w = threading.Thread(target=writer)
    for t in threads:
        t.start()
    w.start()
    w.join(SECONDS)
    stop.set()
    w.join()
    for t in threads:
        t.join()
    print(scenario, counts)
    for b in bad:
        print(b, file=sys.stderr)
    sys.exit(1 if bad else 0)
    """
)


def run_scenario(scenario: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", CHILD, scenario, str(REPO_ROOT)],
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.parametrize("scenario", ["evaluate", "rollup", "derive", "standard", "mixed"])
def test_readers_and_a_writer_share_a_plan(scenario: str) -> None:
    # A write lands during a read only by chance; a short read (derive takes well under a
    # millisecond) on a loaded machine can miss every one of 400 writes in one run. So up to three
    # runs: every run must be clean, and one must see a write refused.
    seen = []
    for _ in range(3):
        r = run_scenario(scenario)
        assert r.returncode == 0, (
            f"{scenario}: exit status {r.returncode} (negative: killed by signal {-r.returncode})\n"
            f"stdout:\n{r.stdout}\nstderr:\n{r.stderr[-6000:]}"
        )
        counts = ast.literal_eval(r.stdout.split(" ", 1)[1])  # the child's summary dict
        assert counts["read"] > 0, r.stdout  # the readers did read
        assert counts["write"] > 0, r.stdout  # the writer got in between reads
        seen.append(r.stdout.strip())
        if counts["write_error"] > 0:
            break
    # ... and was refused while a read was running: the call registers the plan as being read. A
    # call that releases the GIL without doing so lets every write through (write_error == 0) and
    # may crash when a write reallocates what it reads.
    assert counts["write_error"] > 0, f"{scenario}: no write was refused during a read in 3 runs ({seen})"
