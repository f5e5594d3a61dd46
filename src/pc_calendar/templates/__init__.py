"""Plan templates (placeholder: being built)."""
