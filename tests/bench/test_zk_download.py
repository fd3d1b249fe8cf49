"""The ZKTeco download bench, short: a sweep of two small sizes, the incremental case and the
memory probe, through `main` (figures are printed, never asserted: no timing in tests)."""

from __future__ import annotations

import json

import pytest

from bench.zk_download import main


def test_sweep_prints_one_line_per_size_and_the_incremental_case(
    capsys: pytest.CaptureFixture[str],
) -> None:
    argv = ["--sweep", "--sizes", "300,1200", "--rounds", "1", "--incremental-log", "1200"]
    assert main([*argv, "--memory"]) == 0
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert [(x["case"], x["records"]) for x in lines] == [
        ("full", 300),
        ("full", 1200),
        ("incremental", 1200),
    ]
    full = lines[1]
    assert full["shiftgate_s"] > 0 and full["pyzk_s"] > 0 and full["build_punches_s"] > 0
    assert full["memory"]["records"] == 1200 and full["memory"]["peak_rss_mib"] > 0
    assert lines[2]["new"] == 100 and lines[2]["pyzk_full_read_s"] > 0
