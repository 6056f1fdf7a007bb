"""coolshift scenarios."""
