"""People: HR data brought in from other systems, the balanced scorecard, the career ladder.

Pure: frozen values in, frozen values out; no Session. :mod:`hrcore.people.importing` reads
CSV/XLSX files through a YAML column mapping and validates every row (nothing is partial: a
file is accepted whole or its problems are reported); :mod:`hrcore.people.scorecard` scores
KPI values per period; :mod:`hrcore.people.ladder` places an employee on a role's levels.
"""
