models/lock.spec --all-sizes --show-invariants
