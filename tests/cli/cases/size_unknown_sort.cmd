models/pages.spec --size Pages=3
fake: pages
