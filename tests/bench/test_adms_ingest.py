"""The ADMS ingest bench, short: 3 devices push 150 punches each through a real serve."""

from __future__ import annotations

import json

import pytest

from bench.adms_ingest import main


@pytest.mark.timeout(240)
def test_small_run_acknowledges_and_stores_every_punch(capsys: pytest.CaptureFixture[str]) -> None:
    main(
        [
            "--devices",
            "3",
            "--records",
            "150",
            "--batch",
            "50",
            "--clients",
            "1",
            "--stores",
            "sqlite",
        ]
    )
    (line,) = capsys.readouterr().out.strip().splitlines()
    figures = json.loads(line)
    assert figures["punches"] == 450 and figures["uploads"] == 9
    assert figures["hr_store"] == "sqlite"
    assert (
        figures["acked_punches_per_s"] > 0 and figures["upload_p99_ms"] >= figures["upload_p50_ms"]
    )
