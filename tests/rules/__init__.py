"""Rule tests: one triggering and one passing inline config per rule (see helpers.Case)."""
