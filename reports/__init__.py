"""coolshift reports."""
