"""The checks: the rule registry and one module per family of rules."""
