"""Office documents: Word (.docx) and OpenDocument text (.odt), read from their zip packages."""
