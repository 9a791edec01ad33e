models/pages.spec --engine bmc --property ref:range
fake: pages
