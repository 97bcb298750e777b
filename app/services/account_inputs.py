"""An account's own fields (username, name, phone, password, consent), checked and hashed
before any write: hashing is slow, and SQLite has one write lock for everyone."""

import re
from dataclasses import dataclass

from pydantic import BaseModel, Field, field_validator

from app.services.inputs import Text, parse
from app.services.passwords import hash_password

USERNAME = re.compile(r"^[A-Za-z0-9_.@-]{3,40}$")


class AccountForm(BaseModel):
    username: Text = Field(title="用户名")
    display_name: Text = Field(title="姓名", min_length=1, max_length=40)
    phone: Text = Field(default="", title="手机号", max_length=20)
    password: str = Field(title="密码")
    privacy_consent: bool = Field(default=False, title="同意《个人信息处理说明》")

    @field_validator("privacy_consent", mode="before")
    @classmethod
    def _consent(cls, value) -> bool:
        return value in (True, "1", "on", "true")

    @field_validator("username")
    @classmethod
    def _username(cls, value: str) -> str:
        value = value.strip()
        if not USERNAME.match(value):
            raise ValueError("用户名应为 3–40 位字母、数字或 _ . @ -")
        return value

    @field_validator("password")
    @classmethod
    def _password(cls, value: str) -> str:
        check_password_strength(value)
        return value


@dataclass(frozen=True, slots=True)
class NewAccount:
    """An account form, checked, with its password already hashed.

    Hashing is deliberately slow, so adapters prepare the account before their write transaction
    opens (SQLite has one write lock for everyone); the service then only writes.
    """

    username: str
    display_name: str
    phone: str
    password_hash: str
    privacy_consent: bool = False


def prepare_account(account: dict | NewAccount) -> NewAccount:
    """Check the account fields and hash the password; needs no session."""
    if isinstance(account, NewAccount):
        return account
    form = parse(AccountForm, account)
    return NewAccount(
        form.username,
        form.display_name,
        form.phone,
        hash_password(form.password),
        form.privacy_consent,
    )


def check_password_strength(password: str) -> None:
    if len(password) < 8 or not re.search(r"[A-Za-z]", password) or not re.search(r"\d", password):
        raise ValueError("密码至少 8 位，且须同时包含字母和数字")
