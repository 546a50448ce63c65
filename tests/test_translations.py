"""SPEC X-9: the interface in Traditional Chinese (primary), Simplified Chinese and English.

The catalogues live in src/onestop/locale/<lang>/LC_MESSAGES/django.po and are refreshed
with scripts/update-translations. These tests read them with Babel (no database needed)
and fail while a Chinese entry is empty or fuzzy, a placeholder is lost, a catalogue does
not compile, or a string in the code is missing from the catalogues. The last tests
render the login page in each language from freshly compiled catalogues.
"""

from __future__ import annotations

import gettext
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from django.conf import settings
from django.utils.translation import to_locale

PACKAGE_DIR = Path(__file__).resolve().parent.parent / "src" / "onestop"
LOCALE_DIR = PACKAGE_DIR / "locale"
CHINESE = ["zh_Hant", "zh_Hans"]
ALL = [*CHINESE, "en"]

# %(name)s, %s, %d, %.2f … as Python's %-formatting reads them ("%%" is a literal percent sign).
PERCENT = re.compile(r"%(?:\((?P<name>[^)]*)\))?[#0\- +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[diouxXeEfFgGcrsa%]")
HAN = r"\u3400-\u9fff"
HALF_WIDTH_NEXT_TO_CHINESE = re.compile(rf"[{HAN}][.,;:?!(]|[,;:?!)][{HAN}]")
BRACE = re.compile(r"(?<!\{)\{(?P<name>[^{}]*)\}(?!\})")


def po_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / "django.po"


def catalog(language: str):
    with po_path(language).open("rb") as handle:
        return read_po(handle, abort_invalid=True)


def messages(language: str):
    """The real entries (not the header) of a catalogue."""
    return [message for message in catalog(language) if message.id]


def forms(value) -> list[str]:
    """The msgid/msgstr texts of an entry: one, or one per plural form."""
    return list(value) if isinstance(value, (tuple, list)) else [value]


def placeholders(text: str, flags) -> tuple:
    """Named placeholders as a set, unnamed ones as a count per conversion."""
    named, unnamed = set(), Counter()
    if "python-format" in flags or "%(" in text:
        for match in PERCENT.finditer(text):
            if match.group(0) == "%%":
                continue
            if match.group("name") is not None:
                named.add(match.group("name"))
            else:
                unnamed[match.group(0)[-1]] += 1
    if "python-brace-format" in flags:
        named |= {"{" + m.group("name") + "}" for m in BRACE.finditer(text)}
    return named, unnamed


def compile_to(language: str, target_root: Path) -> Path:
    """Compile one .po with Babel, as `onestop compiletranslations` does, into target_root."""
    mo_path = target_root / language / "LC_MESSAGES" / "django.mo"
    mo_path.parent.mkdir(parents=True, exist_ok=True)
    with mo_path.open("wb") as handle:
        write_mo(handle, catalog(language), use_fuzzy=False)
    return mo_path


# --- the catalogues -------------------------------------------------------------------


def test_X_9_every_configured_language_has_a_catalogue():
    for code, _name in settings.LANGUAGES:
        assert po_path(to_locale(code)).is_file(), f"no catalogue for {code}: run scripts/update-translations"


@pytest.mark.parametrize("language", ALL)
def test_X_9_the_catalogue_declares_its_language_and_is_not_marked_fuzzy(language):
    cat = catalog(language)
    assert not cat.fuzzy, f"{language}: the header is marked fuzzy"
    assert cat.mime_headers and dict(cat.mime_headers).get("Language") == language
    assert cat.charset.lower() == "utf-8"


@pytest.mark.parametrize("language", CHINESE)
def test_X_9_every_chinese_message_is_translated(language):
    untranslated = [m.id for m in messages(language) if not all(forms(m.string))]
    assert not untranslated, (
        f"{len(untranslated)} untranslated entries in {po_path(language)} "
        f"(translate them in zh_Hant, then run scripts/update-translations): {untranslated}"
    )


@pytest.mark.parametrize("language", ALL)
def test_X_9_no_message_is_fuzzy(language):
    fuzzy = [m.id for m in messages(language) if m.fuzzy]
    assert not fuzzy, f"fuzzy entries in {po_path(language)} (check and clear the flag): {fuzzy}"


@pytest.mark.parametrize("language", ALL)
def test_X_9_translations_keep_the_placeholders_of_the_source(language):
    broken = []
    for message in messages(language):
        source = "".join(forms(message.id))
        expected = placeholders(source, message.flags)
        for text in forms(message.string):
            if text and placeholders(text, message.flags) != expected:
                broken.append((message.id, text))
    assert not broken, f"placeholders differ between msgid and msgstr in {language}: {broken}"


def test_X_9_chinese_translations_use_full_width_punctuation():
    """Next to Chinese text: ，。；：？！（） rather than their ASCII look-alikes."""
    wrong = [
        (language, message.id, text)
        for language in CHINESE
        for message in messages(language)
        for text in forms(message.string)
        if HALF_WIDTH_NEXT_TO_CHINESE.search(text)
    ]
    assert not wrong, wrong


def test_X_9_all_catalogues_hold_the_same_messages():
    ids = {
        language: {(m.context, m.id if isinstance(m.id, str) else m.id[0]) for m in messages(language)}
        for language in ALL
    }
    for language in ALL[1:]:
        assert ids[language] == ids[ALL[0]], (
            f"{language} and {ALL[0]} differ: run scripts/update-translations "
            f"(only in {language}: {sorted(ids[language] - ids[ALL[0]])}; "
            f"missing: {sorted(ids[ALL[0]] - ids[language])})"
        )


@pytest.mark.parametrize("language", ALL)
def test_X_9_each_catalogue_compiles_and_translates(language, tmp_path):
    mo_path = compile_to(language, tmp_path)
    with mo_path.open("rb") as handle:
        translations = gettext.GNUTranslations(handle)
    for message in messages(language):
        if isinstance(message.id, str) and message.string:
            if message.context:
                assert translations.pgettext(message.context, message.id) == message.string
            else:
                assert translations.gettext(message.id) == message.string
    if shutil.which("msgfmt"):  # GNU gettext, when installed, checks formats once more
        result = subprocess.run(
            ["msgfmt", "--check-format", "--check-header", "-o", os.devnull, str(po_path(language))],
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stderr


def test_X_9_the_catalogues_hold_every_string_of_the_code(tmp_path):
    """makemessages over a copy of the code finds exactly the msgids the catalogues hold."""
    if not shutil.which("xgettext"):
        pytest.skip("GNU gettext (xgettext) is not installed")
    source = tmp_path / "onestop"
    shutil.copytree(PACKAGE_DIR, source, ignore=shutil.ignore_patterns("locale", "static", "__pycache__"))
    out = tmp_path / "locale"
    out.mkdir()
    (tmp_path / "catalogue_check_settings.py").write_text(
        f"from onestop.settings import *  # noqa: F403\nLOCALE_PATHS = [{str(out)!r}]\n", encoding="utf-8"
    )
    env = {
        **os.environ,
        "ONESTOP_DEV": "1",
        "ONESTOP_DATA_DIR": str(tmp_path / "data"),
        "PYTHONPATH": os.pathsep.join([str(tmp_path), str(PACKAGE_DIR.parent)]),
    }
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "django",
            "makemessages",
            "--settings=catalogue_check_settings",
            "-l",
            "en",
            "--no-location",
            "--no-obsolete",
        ],
        cwd=source,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    with (out / "en" / "LC_MESSAGES" / "django.po").open("rb") as handle:
        in_code = {
            (m.context, str(m.id if isinstance(m.id, str) else m.id[0])) for m in read_po(handle) if m.id
        }
    in_catalogue = {(m.context, m.id if isinstance(m.id, str) else m.id[0]) for m in messages("zh_Hant")}
    assert in_code == in_catalogue, (
        "the catalogues are out of date: run scripts/update-translations and translate the new entries "
        f"(new in the code: {sorted(in_code - in_catalogue, key=str)}; "
        f"gone from the code: {sorted(in_catalogue - in_code, key=str)})"
    )


# --- the pages ------------------------------------------------------------------------


@pytest.fixture
def fresh_catalogues(settings, tmp_path):
    """Serve the .po files as they are now, compiled into a temporary folder."""
    for language in ALL:
        compile_to(language, tmp_path)
    settings.LOCALE_PATHS = [tmp_path]  # the setting_changed signal empties Django's cache
    return tmp_path


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "html_lang", "expected", "absent"),
    [
        ("zh-hant", "zh-Hant", ["登入", "密碼", "忘記密碼？", "一站式技術服務管理"], ["登录", "Log in"]),
        ("zh-hans", "zh-Hans", ["登录", "密码", "忘记密码？", "一站式技术服务管理"], ["登入", "Log in"]),
        ("en", "en", ["Log in", "Password", "Forgot your password?"], ["登入", "登录"]),
    ],
)
def test_X_9_the_login_page_speaks_the_language_chosen_with_the_language_switch(
    client, fresh_catalogues, language, html_lang, expected, absent
):
    switched = client.post("/language/", {"language": language, "next": "/login/"})
    assert switched.status_code == 302 and switched["Location"] == "/login/"
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == language
    response = client.get("/login/")
    assert response.status_code == 200
    assert response["Content-Language"] == language
    page = response.content.decode()
    assert f'<html lang="{html_lang}">' in page
    for text in expected:
        assert text in page, f"{text!r} missing from the {language} login page"
    for text in absent:
        assert text not in page, f"{text!r} should not be on the {language} login page"


@pytest.mark.django_db
def test_X_9_the_login_page_is_in_traditional_chinese_before_anyone_chooses(client, fresh_catalogues):
    response = client.get("/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response["Content-Language"] == "zh-hant"
    assert "登入" in response.content.decode()


@pytest.mark.django_db
def test_X_9_the_language_cookie_alone_selects_the_language(client, fresh_catalogues):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    page = client.get("/login/").content.decode()
    assert "登录" in page and "登入" not in page
