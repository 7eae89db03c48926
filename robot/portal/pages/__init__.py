"""Page objects: one module per page family of the portal, mirroring the mock's views."""
