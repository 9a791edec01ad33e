check models/pages.spec --quiet
fake: pages
