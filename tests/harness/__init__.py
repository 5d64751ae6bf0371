"""End-to-end test harness (see mailroomd.py)."""
