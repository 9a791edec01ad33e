models/pages.spec --format junit
fake: pages
