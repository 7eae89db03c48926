"""secop-robot: onboard suppliers onto SECOP II from YAML profiles."""

__version__ = "0.1.0"
