models/pages.spec --property ref:range --no-vacuity
fake: range-violation
