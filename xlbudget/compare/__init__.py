"""Cross-year and cross-department comparison (pure)."""
