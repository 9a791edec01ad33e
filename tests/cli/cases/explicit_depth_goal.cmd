models/pages.spec --engine explicit --depth 1 --property no_crash --no-vacuity
