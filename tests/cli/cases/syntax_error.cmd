check models/broken.spec
fake: pages
