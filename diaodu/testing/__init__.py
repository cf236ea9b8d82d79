"""Test helpers shared by every app (not imported by application code)."""
