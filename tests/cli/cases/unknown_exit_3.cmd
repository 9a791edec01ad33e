models/pages.spec --property ref:range --no-vacuity
fake: pages
