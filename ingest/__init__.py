"""Files into paragraphs, paragraphs into a Chroma index."""
