"""Development tools that do not ship in the wheel (run from the repository root)."""
