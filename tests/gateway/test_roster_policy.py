"""Policy YAML -> scheduler Policy: CN defaults, clear errors on bad files."""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway.roster_policy import PolicyFileError, load_policy, parse_policy
from scheduler.model import Rule

ROOT = Path(__file__).resolve().parents[2]


def test_cn_policy_file_carries_the_chinese_defaults() -> None:
    p = load_policy(ROOT / "config" / "policies" / "cn.yaml")
    assert p.name == "cn"
    assert p.min_rest_minutes == 660
    assert (p.rest_window_days, p.min_rest_days_in_window) == (7, 1)
    assert (p.daily_regular_minutes, p.weekly_regular_minutes) == (480, 2400)
    assert (p.daily_overtime_cap_minutes, p.monthly_overtime_cap_minutes) == (180, 2160)
    for rule in (
        Rule.MIN_REST,
        Rule.WEEKLY_REST,
        Rule.DAILY_OVERTIME_CAP,
        Rule.MONTHLY_OVERTIME_CAP,
        Rule.NO_NIGHTS,
        Rule.NO_OVERTIME,
        Rule.UNAVAILABLE,
    ):
        assert p.is_hard(rule), rule
    assert not p.is_hard(Rule.OVERTIME) and p.active(Rule.MINIMAL_CHANGE)


def test_unknown_rule_names_the_file_and_key() -> None:
    with pytest.raises(PolicyFileError, match=r"p\.yaml: key rules\.no_such_rule"):
        parse_policy("name: x\nrules:\n  no_such_rule: {hard: true}\n", source="p.yaml")


def test_wrong_type_and_bad_yaml() -> None:
    with pytest.raises(PolicyFileError, match=r"key numbers\.min_rest_hours"):
        parse_policy("name: x\nnumbers: {min_rest_hours: lots}\nrules: {}\n", source="p.yaml")
    with pytest.raises(PolicyFileError, match="not valid YAML"):
        parse_policy("name: [\n", source="p.yaml")
    with pytest.raises(PolicyFileError, match="cannot read policy file"):
        load_policy(ROOT / "config" / "policies" / "missing.yaml")
