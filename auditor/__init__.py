"""golf-audit: compliance verifier and submission auditor for Parameter Golf."""
__version__ = "0.1.0"
