#!/usr/bin/env python3
"""Fill EMPTY zh_Hans translations from zh_Hant: OpenCC t2s plus mainland terms.

    .venv/bin/python scripts/po_t2s.py            # fill, then report what was filled
    .venv/bin/python scripts/po_t2s.py --check    # only report; exit 1 if anything would be filled

zh_Hant is translated by hand and is the source of truth. This script copies its
translations into zh_Hans, converted to simplified characters with OpenCC ('t2s')
and then to the wording used in mainland software (帳號 → 账号, 登入 → 登录 …, see
TERMS). It only fills a zh_Hans entry whose msgstr is empty: an entry a person has
already translated or corrected is never touched, so review the result once and
edit the zh_Hans .po by hand where the automatic wording is not right.

The .po file is edited as text (only the filled msgstr lines change, the header and
comments stay as they are) and then re-wrapped with GNU msgcat, when installed, so
the layout matches what makemessages writes. scripts/update-translations runs this.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import escape, read_po, unescape

LOCALE = Path(__file__).resolve().parent.parent / "src" / "onestop" / "locale"
SOURCE = LOCALE / "zh_Hant" / "LC_MESSAGES" / "django.po"
TARGET = LOCALE / "zh_Hans" / "LC_MESSAGES" / "django.po"

# Applied in order, after t2s, to the simplified text. Longer phrases first, so that
# e.g. 档案室 (the archive room, a policy term) survives the 档案 → 文件 rule.
TERMS: list[tuple[str, str]] = [
    ("档案室", "\0ARCHIVE\0"),
    ("帐号", "账号"),
    ("资料库", "数据库"),
    ("金钥", "密钥"),
    ("纪录", "记录"),
    ("连线", "连接"),
    ("更动", "改动"),
    ("帐户", "账户"),
    ("使用者名称", "用户名"),
    ("使用者", "用户"),
    ("资讯", "信息"),
    ("软体", "软件"),
    ("预设", "默认"),
    ("登入", "登录"),
    ("登出", "退出登录"),
    ("档案", "文件"),
    ("设定", "设置"),
    ("连结", "链接"),
    ("搜寻", "搜索"),
    ("储存", "保存"),
    ("权杖", "令牌"),
    ("建立", "创建"),
    ("检视", "查看"),
    ("选单", "菜单"),
    ("重设", "重置"),
    ("行动电话", "手机"),
    ("介面", "界面"),
    ("程式", "程序"),
    ("列印", "打印"),
    ("范本", "模板"),
    ("讯息", "消息"),
    ("伺服器", "服务器"),
    ("随著", "随着"),
    ("意味著", "意味着"),
    ("栏位", "字段"),
    ("存取", "访问"),
    ("寄送", "发送"),
    ("寄出", "发出"),
    ("开启", "打开"),
    ("笔记录", "条记录"),
    ("笔数", "条数"),
    ("导览", "导航"),
    ("共用", "共享"),
    ("示范", "演示"),
    ("详细资料", "详情"),
    ("呼叫", "调用"),
    ("稽核", "审计"),
    ("清单", "列表"),
    ("尚无", "暂无"),
    ("目前状态", "当前状态"),
    ("目前阶段", "当前阶段"),
    ("目前时间", "当前时间"),
    ("目前经办人", "当前经办人"),
    ("表单目前", "表单当前"),
    ("时间轴", "时间线"),
    ("透过", "通过"),
    ("信箱", "邮箱"),
    ("寄件人", "发件人"),
    ("寄件", "发件"),
    ("邮件标头", "邮件头"),
    ("线上", "在线"),
    ("重新载入页面", "刷新页面"),
    ("重新载入", "重新加载"),
    ("位址", "地址"),
    ("位元组", "字节"),
    ("副档名", "扩展名"),
    ("重新命名", "重命名"),
    ("压缩档", "压缩文件"),
    ("文件名称", "文件名"),
    ("收件匣", "收件箱"),
    ("主旨", "主题"),
    ("身分", "身份"),
    ("则消息", "条消息"),
    ("标示为", "标记为"),
    ("杂凑值", "哈希值"),
    ("窜改", "篡改"),
    ("币别", "币种"),
    ("补班日", "调休上班日"),
    ("工作日行事历", "工作日历"),
    ("行事历", "日历"),
    ("「", "“"),
    ("」", "”"),
    ("『", "‘"),
    ("』", "’"),
    ("\0ARCHIVE\0", "档案室"),
]


def to_simplified(text: str, converter) -> str:
    text = converter.convert(text)
    for old, new in TERMS:
        text = text.replace(old, new)
    return text


def _parse_block(lines: list[str]) -> dict[str, list[str]]:
    """The keyword lines of one .po entry: {'msgid': [...pieces], 'msgstr[0]': [...], ...}."""
    fields: dict[str, list[str]] = {}
    current = None
    for line in lines:
        if line.startswith("#"):
            current = None
        elif line.startswith('"') and current is not None:
            fields[current].append(line)
        elif line.split(" ", 1)[0] in {"msgctxt", "msgid", "msgid_plural"} or line.startswith("msgstr"):
            current, _, rest = line.partition(" ")
            fields[current] = [rest]
    return fields


def _text(pieces: list[str]) -> str:
    return "".join(unescape(piece) for piece in pieces)


def fill(target: Path, lookup, *, dry_run: bool = False) -> list[str]:
    """Fill the empty msgstr of ``target`` with ``lookup(msgctxt, msgid)``.

    ``lookup`` returns a string, a list of strings (one per plural form), or None to
    leave the entry empty. Returns the msgids that were (or, dry_run, would be) filled.
    """
    blocks = target.read_text(encoding="utf-8").split("\n\n")
    filled = []
    for index, block in enumerate(blocks):
        lines = block.split("\n")
        fields = _parse_block(lines)
        msgid = _text(fields.get("msgid", ['""']))
        if not msgid or any(line.startswith("#~") for line in lines):
            continue  # the header, or an obsolete entry
        msgstr_keys = [key for key in fields if key.startswith("msgstr")]
        if any(_text(fields[key]) for key in msgstr_keys):
            continue  # translated already: never overwrite
        ctxt = _text(fields["msgctxt"]) if "msgctxt" in fields else None
        value = lookup(ctxt, msgid)
        if not value:
            continue
        values = [value] if isinstance(value, str) else list(value)
        plural = "msgid_plural" in fields
        out, skipping = [], False
        for line in lines:
            if line.startswith("msgstr"):
                skipping = True
                if plural:
                    out.extend(f"msgstr[{n}] {escape(text)}" for n, text in enumerate(values))
                else:
                    out.append(f"msgstr {escape(values[0])}")
            elif skipping and line.startswith('"'):
                continue
            else:
                skipping = False
                out.append(line)
        blocks[index] = "\n".join(out)
        filled.append(msgid)
    if filled and not dry_run:
        target.write_text("\n\n".join(blocks), encoding="utf-8")
        msgcat = shutil.which("msgcat")
        if msgcat:  # re-wrap long lines exactly as makemessages (msgmerge) does
            subprocess.run([msgcat, "--no-location", "-o", str(target), str(target)], check=True)  # noqa: S603
    return filled


def main(argv: list[str]) -> int:
    from opencc import OpenCC  # noqa: PLC0415 — opencc comes with the dev extra only, so it is imported when the script runs

    check = "--check" in argv
    converter = OpenCC("t2s")
    with SOURCE.open("rb") as handle:
        source = read_po(handle)

    def lookup(ctxt, msgid):
        message = source.get(msgid, context=ctxt)
        if message is None or message.fuzzy or not message.string:
            return None
        if isinstance(message.string, tuple):
            return [to_simplified(text, converter) for text in message.string]
        return to_simplified(message.string, converter)

    filled = fill(TARGET, lookup, dry_run=check)
    verb = "would fill" if check else "filled"
    print(f"zh_Hans: {verb} {len(filled)} empty entr{'y' if len(filled) == 1 else 'ies'} from zh_Hant.")
    for msgid in filled:
        print(f"  {msgid[:70]!r}")
    return 1 if check and filled else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
