"""coolshift optimizer."""
