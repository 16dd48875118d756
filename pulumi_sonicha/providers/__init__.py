"""One provider per resource. Class paths here are pickled into state: never move them."""
