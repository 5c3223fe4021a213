"""WTForms forms; they never touch the database session (lookups come in via constructors)."""
