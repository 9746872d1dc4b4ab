"""Web pages: the article found by its structure, and what the page says of itself."""
