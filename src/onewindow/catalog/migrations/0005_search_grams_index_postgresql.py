"""On PostgreSQL, a GIN index on the character bigrams of each version's search text, so
a name search reads the matching rows instead of the whole table (catalog/search.py,
docs/decisions/0030). SQLite keeps the plain scan: it serves one town's catalog."""

from django.db import migrations

GRAMS_FUNCTION = r"""
CREATE OR REPLACE FUNCTION onewindow_grams(text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT coalesce(array_agg(DISTINCT gram), '{}')
    FROM (SELECT substr($1, i, 2) AS gram FROM generate_series(1, length($1) - 1) AS i) AS g
    WHERE position(' ' IN gram) = 0
$$
"""
INDEX = ("CREATE INDEX catalog_version_search_grams ON catalog_implementationversion "
         "USING gin (onewindow_grams(search_text))")


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(GRAMS_FUNCTION)
        schema_editor.execute(INDEX)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS catalog_version_search_grams")
        schema_editor.execute("DROP FUNCTION IF EXISTS onewindow_grams(text)")


class Migration(migrations.Migration):

    dependencies = [
        ("catalog", "0004_version_implementation_basis"),
    ]

    operations = [migrations.RunPython(forward, backward)]
