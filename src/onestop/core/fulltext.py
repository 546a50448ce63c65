"""Full-text search that works in Chinese, on SQLite and PostgreSQL, through an index.

Chinese is written without spaces, so a word index built by splitting on spaces would hold whole
sentences as "words". Both databases are given the same prepared text instead: every run of
CJK characters becomes its overlapping pairs of characters (``資訊安全`` → ``資訊 訊安 安全``, the
usual bigram indexing of CJK search engines), Latin words and numbers are kept as they are,
lower-cased. A query is prepared the same way and every one of its tokens must match, so a
two-character word is one token and a longer word is the chain of its pairs.

The prepared text lives in a column of the model (``search_text``), kept up to date by the
model's service with ``expand``. It is indexed

- on SQLite by an FTS5 virtual table ``<table>_fts`` with external content (the model's table)
  and triggers that follow inserts, updates and deletes; ranked by ``bm25``;
- on PostgreSQL by a GIN index over ``to_tsvector('simple', search_text)`` (the ``simple``
  configuration keeps tokens as they are: no stemming, no stop words); ranked by ``ts_rank``.

``index_operations(table)`` gives the migration operations for both (each runs only on its own
database), ``ensure_on_migrate`` the same for a database built without them; ``matching(queryset,
query)`` filters in the list's own order and ``search`` also ranks, in one query whatever the row
count; the last word of a query is a prefix (a reader still typing).
``highlight`` and ``snippet`` mark the query's words in the shown text (only for the rows of a
page). Another app indexes a model by adding the column, the operations and calling ``expand``.
"""

from __future__ import annotations

import re

from django.db import connection, connections, migrations
from django.db.models import FloatField, QuerySet, Value
from django.db.models.expressions import RawSQL
from django.db.models.signals import post_migrate
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

COLUMN = "search_text"
MAX_QUERY_TOKENS = 24  # a pasted paragraph is not a query: its first words are enough

# Han (with extensions), kana and hangul: scripts written without spaces between words.
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
_TOKEN = re.compile(rf"[{_CJK}]+|[^\W_{_CJK}]+", re.UNICODE)
_IS_CJK = re.compile(rf"[{_CJK}]")


def tokens(text: str) -> list[str]:
    """The index tokens of ``text``: CJK runs as overlapping pairs, other words lower-cased."""
    result: list[str] = []
    for match in _TOKEN.finditer(text or ""):
        run = match.group(0)
        if _IS_CJK.match(run):
            if len(run) == 1:
                result.append(run)
            else:
                result.extend(run[i : i + 2] for i in range(len(run) - 1))
        else:
            result.append(run.lower())
    return result


def expand(text: str) -> str:
    """The prepared text stored in ``search_text`` (see the module docstring)."""
    return " ".join(tokens(text))


def query_tokens(query: str) -> list[str]:
    """The tokens a query must all match (duplicates dropped, order kept)."""
    seen: dict[str, None] = {}
    for token in tokens(query):
        seen.setdefault(token, None)
    return list(seen)[:MAX_QUERY_TOKENS]


# --- the index ----------------------------------------------------------------------------------


class RunSQLOn(migrations.RunSQL):
    """``RunSQL`` that runs only on one database vendor ("sqlite" or "postgresql")."""

    def __init__(self, vendor: str, *args, **kwargs):
        self.vendor = vendor
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, args, kwargs = super().deconstruct()
        return name, [self.vendor, *args], kwargs

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == self.vendor:
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == self.vendor:
            super().database_backwards(app_label, schema_editor, from_state, to_state)


def _statements(table: str, column: str) -> dict:
    """The migration operations that index ``table.column`` on SQLite and on PostgreSQL.
    (The names are the model's, written in a migration; no user input reaches this SQL.)"""
    fts = f"{table}_fts"
    sqlite = [
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {fts} USING fts5({column}, content='{table}', content_rowid='id')",
        f"CREATE TRIGGER IF NOT EXISTS {fts}_ai AFTER INSERT ON {table} BEGIN "  # noqa: S608
        f"INSERT INTO {fts}(rowid, {column}) VALUES (new.id, new.{column}); END",
        f"CREATE TRIGGER IF NOT EXISTS {fts}_ad AFTER DELETE ON {table} BEGIN "  # noqa: S608
        f"INSERT INTO {fts}({fts}, rowid, {column}) VALUES ('delete', old.id, old.{column}); END",
        f"CREATE TRIGGER IF NOT EXISTS {fts}_au AFTER UPDATE OF {column} ON {table} BEGIN "  # noqa: S608
        f"INSERT INTO {fts}({fts}, rowid, {column}) VALUES ('delete', old.id, old.{column}); "
        f"INSERT INTO {fts}(rowid, {column}) VALUES (new.id, new.{column}); END",
        f"INSERT INTO {fts}({fts}) VALUES ('rebuild')",  # noqa: S608
    ]
    sqlite_reverse = [
        f"DROP TRIGGER IF EXISTS {fts}_au",
        f"DROP TRIGGER IF EXISTS {fts}_ad",
        f"DROP TRIGGER IF EXISTS {fts}_ai",
        f"DROP TABLE IF EXISTS {fts}",
    ]
    postgres = [
        f"CREATE INDEX IF NOT EXISTS {table}_fts_gin ON {table} USING gin (to_tsvector('simple'::regconfig, {column}))"
    ]
    postgres_reverse = [f"DROP INDEX IF EXISTS {table}_fts_gin"]
    return {
        "sqlite": (sqlite, sqlite_reverse),
        "postgresql": (postgres, postgres_reverse),
    }


def index_operations(table: str, column: str = COLUMN) -> list:
    """The migration operations that index ``table.column`` on SQLite and on PostgreSQL."""
    return [
        RunSQLOn(vendor, forward, backward)
        for vendor, (forward, backward) in _statements(table, column).items()
    ]


def ensure_index(using_connection, table: str, column: str = COLUMN) -> None:
    """Create the index if it is missing (every statement is idempotent): for databases built
    straight from the models, without migrations (the test suite), after ``post_migrate``."""
    statements = _statements(table, column).get(using_connection.vendor)
    if statements is None:
        return
    forward = [sql for sql in statements[0] if "'rebuild'" not in sql]
    with using_connection.cursor() as cursor:
        for sql in forward:
            cursor.execute(sql)


def ensure_on_migrate(config, table: str, column: str = COLUMN) -> None:
    """Called from an app's ``ready()``: its ``table`` gets its index after every ``migrate``,
    also on a database built straight from the models (the test suite)."""

    def ensure(sender, using="default", **kwargs):
        connection = connections[using]
        # ``migrate <another app>`` may stop before this app's table exists.
        if table in connection.introspection.table_names():
            ensure_index(connection, table, column)

    post_migrate.connect(ensure, sender=config, weak=False, dispatch_uid=f"fulltext-{table}")


# --- searching ------------------------------------------------------------------------------------


def _fts5_query(words: list[str], joiner: str) -> str:
    # Each token quoted: FTS5 syntax characters in the user's words are only text. The last one
    # is a prefix (``"…"*``): a reader still typing "OS-2026-001" or a single 網 finds the rows.
    quoted = ['"' + word.replace('"', '""') + '"' for word in words]
    quoted[-1] += "*"
    return f" {joiner} ".join(quoted)


def _tsquery(words: list[str], joiner: str) -> str:
    # The same on PostgreSQL: each token a quoted lexeme, the last one a prefix (``:*``).
    quoted = ["'" + word.replace("'", "''").replace("\\", "\\\\") + "'" for word in words]
    quoted[-1] += ":*"
    return f" {joiner} ".join(quoted)


def matching(queryset: QuerySet, query: str, column: str = COLUMN, *, any_word: bool = False) -> QuerySet:
    """The rows of ``queryset`` whose ``column`` matches every token of ``query`` (with
    ``any_word``: at least one, for "similar to this text"), in the queryset's own order (a list
    keeps its sorting): ``pk IN (the index's answer)``, never a ``DISTINCT`` over joined tables.
    An empty query matches nothing."""
    words = query_tokens(query)
    if not words:
        return queryset.none()
    table = queryset.model._meta.db_table
    # Table and column names come from the model, never from the user; the words are parameters.
    if connection.vendor == "postgresql":
        sql = f"SELECT id FROM {table} WHERE to_tsvector('simple'::regconfig, {column}) @@ to_tsquery('simple'::regconfig, %s)"  # noqa: S608
        return queryset.filter(pk__in=RawSQL(sql, [_tsquery(words, "|" if any_word else "&")]))  # noqa: S611
    fts = f"{table}_fts"
    sql = f"SELECT rowid FROM {fts} WHERE {fts} MATCH %s"  # noqa: S608
    return queryset.filter(pk__in=RawSQL(sql, [_fts5_query(words, "OR" if any_word else "AND")]))  # noqa: S611


def search(queryset: QuerySet, query: str, column: str = COLUMN, *, any_word: bool = False) -> QuerySet:
    """``matching``, best first, each row annotated with ``fulltext_rank`` (higher is better).
    One query; no Python over rows."""
    words = query_tokens(query)
    if not words:  # only punctuation: nothing matches, and the rank is still there to sort by
        return queryset.none().annotate(fulltext_rank=Value(0.0, output_field=FloatField()))
    table = queryset.model._meta.db_table
    rows = matching(queryset, query, column, any_word=any_word)
    if connection.vendor == "postgresql":
        vector = f'to_tsvector(\'simple\'::regconfig, "{table}"."{column}")'
        tsquery = _tsquery(words, "|" if any_word else "&")
        rank = RawSQL(  # noqa: S611
            f"ts_rank({vector}, to_tsquery('simple'::regconfig, %s))", [tsquery], output_field=FloatField()
        )
    else:
        fts = f"{table}_fts"
        # bm25 is lower for better matches: negated, so that higher is better on both databases.
        rank = RawSQL(  # noqa: S611
            f'SELECT -bm25({fts}) FROM {fts} WHERE {fts} MATCH %s AND {fts}.rowid = "{table}"."id"',  # noqa: S608
            [_fts5_query(words, "OR" if any_word else "AND")],
            output_field=FloatField(),
        )
    return rows.annotate(fulltext_rank=rank).order_by("-fulltext_rank", "-pk")


def _words_pattern(query: str):
    """A pattern for the query's words as the reader typed them (CJK runs whole, and their pairs)."""
    parts: set[str] = set()
    for match in _TOKEN.finditer(query or ""):
        run = match.group(0)
        parts.add(run)
        if _IS_CJK.match(run) and len(run) > 2:
            parts.update(run[i : i + 2] for i in range(len(run) - 1))
    if not parts:
        return None
    alternatives = sorted(parts, key=len, reverse=True)
    return re.compile("|".join(re.escape(part) for part in alternatives), re.IGNORECASE)


def highlight(text: str, query: str) -> SafeString:
    """``text`` escaped, with the query's words marked (``<mark>``)."""
    pattern = _words_pattern(query)
    if pattern is None:
        return mark_safe(escape(text))  # noqa: S308 — escaped just now
    out: list[str] = []
    last = 0
    for match in pattern.finditer(text or ""):
        out.append(escape(text[last : match.start()]))
        out.append(f"<mark>{escape(match.group(0))}</mark>")
        last = match.end()
    out.append(escape((text or "")[last:]))
    return mark_safe("".join(out))  # noqa: S308 — every piece escaped above


def snippet(text: str, query: str, width: int = 120) -> SafeString:
    """About ``width`` characters of ``text`` around the first match, marked."""
    text = re.sub(r"\s+", " ", text or "").strip()
    pattern = _words_pattern(query)
    start = 0
    if pattern is not None:
        found = pattern.search(text)
        if found:
            start = max(0, found.start() - width // 3)
    piece = text[start : start + width]
    prefix = "…" if start > 0 else ""
    suffix = "…" if start + width < len(text) else ""
    return mark_safe(prefix + highlight(piece, query) + suffix)  # noqa: S308 — highlight escapes
