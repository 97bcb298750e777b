"""The ``{name:id}`` path convertor: a row id that fits the databases' signed 64-bit integers.

Starlette's ``int`` convertor takes any run of digits; ``/products/99999999999999999999`` then
reached the database, where SQLite raises OverflowError and PostgreSQL an out-of-range error (a
500). Up to 18 digits always fits below 2^63 − 1, so a longer number simply matches no route: 404.
"""

from starlette.convertors import Convertor, register_url_convertor


class RowIdConvertor(Convertor[int]):
    regex = "[0-9]{1,18}"

    def convert(self, value: str) -> int:
        return int(value)

    def to_string(self, value: int) -> str:
        value = int(value)
        if not 0 <= value < 10**18:
            raise ValueError("a row id has 1 to 18 digits")
        return str(value)


register_url_convertor("id", RowIdConvertor())
