"""`make run`'s processes are restarted when they die, and all stop on Ctrl-C (SIGTERM)."""

import os
import signal
import subprocess
import time
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "keep_running.sh"


def _wait_for(predicate, timeout=15.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def test_a_dying_process_is_restarted_with_a_line_and_stops_with_its_loop(tmp_path):
    pids = tmp_path / "pids"
    out = tmp_path / "out"
    loop = subprocess.Popen(
        [str(SCRIPT), "worker"],
        env={**os.environ, "KEEP_RUNNING_COMMAND": f"sh -c 'echo $$ >> {pids}; exec sleep 60'"},
        stdout=out.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        assert _wait_for(lambda: pids.exists() and len(pids.read_text().split()) == 1)
        first = int(pids.read_text().split()[0])
        os.kill(first, signal.SIGKILL)  # the worker dies
        assert _wait_for(lambda: len(pids.read_text().split()) == 2), out.read_text()
        second = int(pids.read_text().split()[1])
        assert "keep_running: worker s'est arrêté (code 137), redémarrage dans 1 s" in (
            out.read_text()
        )
        assert "keep_running: worker redémarre" in out.read_text()

        os.killpg(loop.pid, signal.SIGTERM)  # what honcho does on Ctrl-C
        assert loop.wait(timeout=10) == 0
        time.sleep(0.2)
        assert len(pids.read_text().split()) == 2  # not restarted once stopping
        assert subprocess.run(["kill", "-0", str(second)], capture_output=True).returncode != 0
    finally:
        if loop.poll() is None:
            os.killpg(loop.pid, signal.SIGKILL)
