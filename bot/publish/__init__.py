"""Output edges: the RSS file, Telegram previews, and Telegram itself."""
