models/pages.spec --property no_crash
fake: corrupt-trace
