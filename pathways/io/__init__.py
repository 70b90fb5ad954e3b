"""Readers (``read_*``, ``from_*``) and writers (``write_*``) of event logs."""
