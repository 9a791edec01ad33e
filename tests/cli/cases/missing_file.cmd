models/nosuch.spec
fake: pages
