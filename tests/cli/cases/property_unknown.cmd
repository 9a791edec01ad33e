models/pages.spec --property no_crsh --property nothing_like_it
fake: pages
