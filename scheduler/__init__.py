"""Roster solver (OR-Tools CP-SAT). Depends only on its own plain data classes."""
