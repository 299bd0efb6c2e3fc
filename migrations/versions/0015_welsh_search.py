"""Text search that finds Welsh words: unstemmed, and with or without their accents.

`asset.search` (migration 0001) holds English stems, which suit English ("libraries" finds
"Library") but cut Welsh words short ("llyfrgell" is kept as "llyfrgel", so the words typed
so far, matched as prefixes, miss it) and keep the accents (to bach, acen grom...): "Ty"
never found "Tŷ". Beside it, `asset_words(name, description)` gives the name's and
description's words as they are written, lower case, accents folded away
(`search_fold`), in the 'simple' configuration; searches ask it for the words and the
prefixes typed, folded alike, and `search` for the English words.

Its cost is one GIN index on that expression, and no stored column: nothing more is kept
per row, and the view `public_asset` is unchanged (its name and description are the
asset's own, so the planner reads the index through it).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-01
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Welsh's vowels (and w, y) with the circumflex (to bach), acute, grave and diaeresis,
# small and capital, each to its letter: what a search types without them.
ACCENTED = "âêîôûŵŷáéíóúẃýàèìòùẁỳäëïöüẅÿÂÊÎÔÛŴŶÁÉÍÓÚẂÝÀÈÌÒÙẀỲÄËÏÖÜẄŸ"
PLAIN = "aeiouwy" * 4 + "AEIOUWY" * 4

UPGRADE = f"""
CREATE FUNCTION search_fold(words text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN translate(words, '{ACCENTED}', '{PLAIN}');

CREATE FUNCTION asset_words(name text, description text) RETURNS tsvector
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN to_tsvector('simple'::regconfig,
                       search_fold(name || ' ' || coalesce(description, '')));

CREATE INDEX asset_words_idx ON asset USING gin (asset_words(name, description));
"""

DOWNGRADE = """
DROP INDEX asset_words_idx;
DROP FUNCTION asset_words(text, text);
DROP FUNCTION search_fold(text);
"""


def upgrade() -> None:
    op.execute(UPGRADE)


def downgrade() -> None:
    op.execute(DOWNGRADE)
