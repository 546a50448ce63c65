"""Menu entries of this app (core.navigation.register)."""
