models/pages.spec --engine bmc --depth 10 --property ref:range
fake: pages
