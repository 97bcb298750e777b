"""Every setting is documented: a line of .env.example and a row of README.md's settings table."""

import re
from pathlib import Path

from app.config import Settings

ROOT = Path(__file__).resolve().parents[1]


def _names() -> set[str]:
    return {f"CUNQI_{name.upper()}" for name in Settings.model_fields}


def test_env_example_lists_every_setting():
    text = (ROOT / ".env.example").read_text(encoding="utf-8")
    listed = set(re.findall(r"^(?:# )?(CUNQI_[A-Z0-9_]+)=", text, flags=re.MULTILINE))
    assert _names() <= listed, sorted(_names() - listed)


def test_env_example_is_a_valid_configuration_once_the_secret_is_filled(tmp_path, monkeypatch):
    text = (ROOT / ".env.example").read_text(encoding="utf-8")
    env = tmp_path / ".env"
    env.write_text(text.replace("CUNQI_SECRET_KEY=\n", "CUNQI_SECRET_KEY=" + "s" * 40 + "\n"))
    monkeypatch.chdir(tmp_path)
    for name in list(Settings.model_fields):
        monkeypatch.delenv(f"CUNQI_{name.upper()}", raising=False)
    settings = Settings()
    assert settings.is_production and settings.public_url == "https://cunqi.example.cn"


def test_readme_settings_table_names_every_setting():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    table = text[text.index("| 变量 | 默认值 | 说明 |") :]
    table = table[: table.index("\n\n")]
    documented = set(re.findall(r"`(CUNQI_[A-Z0-9_]+)`", table))
    assert _names() <= documented, sorted(_names() - documented)
