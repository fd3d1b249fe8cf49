"""Burnout and overtime risk: attendance results, leave, scores and survey answers in; flags
with their evidence and a green / amber / red level per employee out.

Pure: frozen values in, frozen values out; no Session. :mod:`hrcore.risk.rules` has one
function per signal, :mod:`hrcore.risk.assess` combines them, :mod:`hrcore.risk.config`
reads the thresholds and the combination rule from YAML (config/risk.yaml).
"""
