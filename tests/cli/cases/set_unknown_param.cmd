models/pages.spec --set design=rfc2021
fake: pages
