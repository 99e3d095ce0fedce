"""The Imports and Data pages (HTML), thin over the same services as the API."""
