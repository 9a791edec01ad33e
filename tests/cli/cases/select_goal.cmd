models/pages.spec --property private_page
fake: pages
