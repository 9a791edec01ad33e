models/pages.spec --format sarif
fake: pages
