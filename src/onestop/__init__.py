"""OneStop: the one-stop technical service management system."""

__version__ = "0.1.0"
