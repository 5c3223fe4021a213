"""Admin area: users, regions, enterprises and enterprise import (role admin only)."""
