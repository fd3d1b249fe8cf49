"""The roster grid's short skill names."""

from __future__ import annotations

from gateway.roster.render import skill_abbreviations


def test_skills_are_told_apart_by_the_shortest_common_prefix_length() -> None:
    assert skill_abbreviations({"picker", "packer", "forklift", "lead"}) == {
        "picker": "pi",
        "packer": "pa",
        "forklift": "fo",
        "lead": "le",
    }
    assert skill_abbreviations({"pack", "packaging"}) == {"pack": "pack", "packaging": "packa"}
    assert skill_abbreviations({"x"}) == {"x": "x"}
    assert skill_abbreviations(set()) == {}
