"""The .spec language front end: text (or the Python builder) -> typed IR -> Instance."""

from spec.diagnostics import FrontendError
from spec.frontend import load, load_instance, load_model

__all__ = ["FrontendError", "load", "load_instance", "load_model"]
