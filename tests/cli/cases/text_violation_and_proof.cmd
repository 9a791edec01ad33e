models/pages.spec
fake: pages
