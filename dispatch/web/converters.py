"""URL converters: ids in paths are database ids, or the route does not match (404).

Werkzeug's ``int`` converter matches ``\\d+``, which in Python's regular expressions takes
every Unicode decimal digit (Arabic-Indic ``١٢`` reaches ``int()`` as 12), and converts any
length: ``/projects/99999999999999999999`` became an integer the database cannot bind
(SQLite: "Python int too large to convert", a 500). :class:`BoundedIntConverter` replaces
it app-wide, so every ``<int:...>`` segment is ASCII digits within ``1 … DB_INT_MAX``;
anything else matches no route and is answered 404, like an id that does not exist.
"""

from __future__ import annotations

from werkzeug.routing import IntegerConverter, Map

from dispatch.core.inputs import DB_INT_MAX


class BoundedIntConverter(IntegerConverter):
    """``<int:name>``: ASCII digits, an id the database can hold (1 … 2³¹−1 by default).

    Werkzeug's own ``min``/``max`` arguments still narrow it (``<int(max=9):n>``).
    """

    # Ten digits hold DB_INT_MAX (2147483647); a longer segment fails the pattern itself,
    # before any conversion.
    regex = r"[0-9]{1,10}"

    def __init__(
        self,
        map: Map,
        fixed_digits: int = 0,
        min: int | None = 1,
        max: int | None = DB_INT_MAX,
        signed: bool = False,
    ) -> None:
        if signed:
            raise ValueError("ids are never negative: signed int segments are not supported")
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max)


def register_converters(url_map: Map) -> None:
    """Install the bounded ``int`` converter; call before any rule is added."""
    url_map.converters["int"] = BoundedIntConverter
