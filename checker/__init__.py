"""spec-check's engines, reports and command line."""
