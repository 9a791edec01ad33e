models/pages.spec --format json
fake: pages
