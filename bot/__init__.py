"""Kakehashi: Japanese sources to bilingual English digests."""

__version__ = "0.1.0"
