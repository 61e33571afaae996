"""Pinyin of children's names for search: "zhang", "zhangsan" and "zs" all find 张三."""
from __future__ import annotations

# pypinyin's dictionaries take ~55 MiB: imported on first use, not by every process that imports the
# app (gunicorn.conf.py imports it once in the master, before the workers fork, to share them).

# Surnames read differently from the character's everyday reading (pypinyin has no surname mode).
SURNAME_READINGS = {
    "单": "shan", "曾": "zeng", "解": "xie", "仇": "qiu", "朴": "piao", "查": "zha", "区": "ou",
    "乐": "yue", "覃": "qin", "翟": "zhai", "缪": "miao", "种": "chong", "盖": "ge", "秘": "bi",
    "尉": "yu", "任": "ren", "华": "hua", "纪": "ji", "召": "shao", "员": "yun", "燕": "yan",
    "繁": "po", "相": "xiang", "句": "gou", "佘": "she", "万": "wan", "沈": "shen", "柏": "bai",
}


def name_pinyin(name: str) -> tuple[str, str]:
    """(full pinyin, initials), lowercase and without spaces: ("zhangsan", "zs")."""
    name = "".join(name.split())
    if not name:
        return "", ""
    from pypinyin import Style, lazy_pinyin

    syllables = lazy_pinyin(name, style=Style.NORMAL, errors=lambda chars: list(chars))
    if name[0] in SURNAME_READINGS and len(syllables) >= 1:
        syllables[0] = SURNAME_READINGS[name[0]]
    syllables = [s.lower() for s in syllables if s.strip()]
    full = "".join(syllables)
    initials = "".join(s[0] for s in syllables if s and s[0].isalnum())
    return full[:240], initials[:60]


def search_key(query: str) -> str:
    """The typed query as it is compared with the pinyin columns: lowercase, no spaces."""
    return "".join(query.lower().split())
