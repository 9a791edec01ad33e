models/pages.spec --property private_counted --show-invariants
fake: pages
