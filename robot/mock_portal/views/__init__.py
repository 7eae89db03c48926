"""Page modules of the mock portal, one blueprint each."""
