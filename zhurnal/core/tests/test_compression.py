"""Pages, fragments and static files are compressed by the application itself (brotli, else gzip)."""

import gzip

import brotli
import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_pages_are_brotli_when_offered_else_gzip_else_plain(small_school, login):
    client = login("teacher")
    url = reverse("school:my_groups")
    plain = client.get(url)
    assert "Content-Encoding" not in plain
    br = client.get(url, HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert br["Content-Encoding"] == "br" and "Accept-Encoding" in br["Vary"]
    assert len(brotli.decompress(br.content)) == len(plain.content)  # the same page (its CSRF token masked anew)
    gz = client.get(url, HTTP_ACCEPT_ENCODING="gzip")
    assert gz["Content-Encoding"] == "gzip"
    assert len(gzip.decompress(gz.content)) == len(plain.content)
    assert len(br.content) < len(plain.content) / 2


def test_json_of_a_cell_save_and_static_scripts_are_compressed(client):
    js = client.get("/static/journal/journal.js", HTTP_ACCEPT_ENCODING="br")
    assert js.status_code == 200 and js["Content-Encoding"] == "br"
    body = brotli.decompress(b"".join(js.streaming_content))
    assert b"setupGrid" in body


def test_files_compressed_already_pass_as_they_are():
    from django.http import HttpResponse
    from django.test import RequestFactory

    from zhurnal.core.compression import CompressionMiddleware

    response = HttpResponse(b"%PDF-" + b"0" * 5000, content_type="application/pdf")
    middleware = CompressionMiddleware(lambda request: response)
    out = middleware(RequestFactory().get("/", HTTP_ACCEPT_ENCODING="br, gzip"))
    assert "Content-Encoding" not in out and len(out.content) == 5005
