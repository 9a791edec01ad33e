models/deadlock.spec --engine bmc --depth 1 --property two
