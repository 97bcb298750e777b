"""Print the schema to schema.graphql at the repository root, or check that it is current.

python -m app.schema.export          # write schema.graphql
python -m app.schema.export --check  # exit 1 if schema.graphql differs from the code
"""

import sys
from pathlib import Path

from app.schema.schema import sdl

SCHEMA_FILE = Path(__file__).resolve().parents[2] / "schema.graphql"


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    current = sdl()
    if "--check" in args:
        if SCHEMA_FILE.is_file() and SCHEMA_FILE.read_text(encoding="utf-8") == current:
            return 0
        print("schema.graphql 与代码不一致：请运行 python -m app.schema.export", file=sys.stderr)
        return 1
    SCHEMA_FILE.write_text(current, encoding="utf-8")
    print(f"已写入 {SCHEMA_FILE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
