"""Risk alerts: re-evaluating employees whose punches reached the store, and telling someone.

- ``people_files``: the risk thresholds, scorecard and ladder from the config folder
- ``webhook``: one JSON POST per alert (non-2xx or no answer = failed, retried next tick)
- ``risk_watch``: the timer that re-evaluates, raises one alert per turn to red, delivers it
"""
