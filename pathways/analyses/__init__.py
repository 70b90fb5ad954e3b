"""Analyses: each takes an EventLog and returns a pandas DataFrame (see DOMAIN.md section 4)."""
