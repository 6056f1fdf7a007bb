"""coolshift ui."""
