"""Evidence archive (减排档案): files against the archive standard's items, reviewed."""
