"""The product's own corpus configuration: default documents and fetching them by symbol."""
