"""generate: a complete hardened environment-config.yaml (or env lines) from a profile.

``output`` turns a plan (``hardener.plan``) into YAML or ``NAME=value`` lines through the
templates (``render``) and verifies that the text reads back as the intended values.
"""
