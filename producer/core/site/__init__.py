"""Pages: the website, the report page and its plots, byte ranges."""
