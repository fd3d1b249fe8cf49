"""The message catalogue: English and Chinese labels of the web UI, from messages.yaml."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml
from fastapi import Request

CATALOGUE_FILE = Path(__file__).with_name("messages.yaml")
LANG_COOKIE = "sg_lang"


class Lang(StrEnum):
    EN = "en"
    ZH = "zh"


@dataclass(frozen=True, slots=True)
class Catalogue:
    #: key -> language -> text
    messages: MappingProxyType[str, MappingProxyType[str, str]]

    @classmethod
    def load(cls, path: Path = CATALOGUE_FILE) -> Catalogue:
        raw: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
        for key, texts in raw.items():
            missing = {lang.value for lang in Lang} - set(texts)
            if missing:
                raise ValueError(f"{path}: {key} has no {', '.join(sorted(missing))} text")
        return cls(MappingProxyType({k: MappingProxyType(dict(v)) for k, v in raw.items()}))

    def text(self, key: str, lang: Lang) -> str:
        """The label in ``lang``; an unknown key shows itself (a test keeps none unknown)."""
        texts = self.messages.get(key)
        return texts[lang.value] if texts else key


def lang_of(request: Request) -> Lang:
    """``?lang=`` wins, then the cookie, then the browser's Accept-Language."""
    for candidate in (request.query_params.get("lang"), request.cookies.get(LANG_COOKIE)):
        if candidate in {lang.value for lang in Lang}:
            return Lang(candidate)
    accept = request.headers.get("accept-language", "").lower()
    return Lang.ZH if accept.startswith("zh") else Lang.EN
