"""check: audit configs against a profile, with rule ids, positions, fixes and SARIF.

``audit`` reads each file, runs the rules (``rules/``, one module per area, one registry) over
``hardener.model``'s view of it and places, waives and masks the findings; ``grade`` predicts
the HTTP Observatory grade of the headers Optimize would send; ``report`` renders text, JSON
and SARIF.
"""
