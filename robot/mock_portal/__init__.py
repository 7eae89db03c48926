"""The bundled mock SECOP II portal and its mail stack (see docs/mock-portal.md)."""
