models/pages.spec --engine bmc --depth 3 --stats -q
