"""Property-based fuzzing of every form, filter and import route with hostile input."""
