"""Exit 0 when a PostgreSQL server answers at the given URL (its maintenance database is enough)."""

import sys
from urllib.parse import urlparse

import psycopg

url = urlparse(sys.argv[1])
try:
    psycopg.connect(
        host=url.hostname or "127.0.0.1", port=url.port or 5432, user=url.username or "postgres",
        password=url.password or None, dbname="postgres", connect_timeout=3,
    ).close()
except psycopg.Error:
    sys.exit(1)
