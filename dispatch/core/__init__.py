"""Pure domain: the engineering-type catalog and the accounting engine (no Flask, no models)."""
