"""REST API of this app. ``ROUTES`` lists (prefix, viewset[, basename]) for the root router."""

ROUTES = []
