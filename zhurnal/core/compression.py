"""Responses compressed by the application itself: a school runs it on one computer without a proxy, often over
a slow network. Brotli when the browser offers it (every current browser does, over HTTPS and on localhost),
else gzip (Django's ``GZipMiddleware``, with its padding against BREACH).

Only text is compressed (pages, fragments, JSON, scripts, styles, CSV, iCal); PDFs, spreadsheets, images and
archives are compressed already. Responses that carry an encoding (WhiteNoise's pre-compressed static files)
pass as they are. The CSRF token in pages is masked afresh on every response (Django), so a compressed page
does not leak it by its length.
"""

from __future__ import annotations

import brotli
from django.middleware.gzip import GZipMiddleware
from django.utils.cache import patch_vary_headers
from django.utils.regex_helper import _lazy_re_compile

re_accepts_br = _lazy_re_compile(r"\bbr\b")

COMPRESSIBLE = ("text/", "application/json", "application/javascript", "application/xml", "image/svg+xml",
                "application/manifest+json", "application/problem+json")
# Brotli's quality 5 compresses a 46 KB grid in about a millisecond to a size close to quality 11's.
BROTLI_QUALITY = 5
MIN_SIZE = 200


def compressible(response) -> bool:
    content_type = response.get("Content-Type", "").split(";", 1)[0].strip().lower()
    return content_type.startswith(COMPRESSIBLE)


def _brotli_stream(chunks):
    compressor = brotli.Compressor(quality=BROTLI_QUALITY)
    for chunk in chunks:
        data = compressor.process(chunk)
        if data:
            yield data
        flushed = compressor.flush()  # each chunk reaches the browser as it is produced
        if flushed:
            yield flushed
    yield compressor.finish()


class CompressionMiddleware(GZipMiddleware):
    def process_response(self, request, response):
        if response.has_header("Content-Encoding") or not compressible(response):
            return response
        if not response.streaming and len(response.content) < MIN_SIZE:
            return response
        accepted = request.META.get("HTTP_ACCEPT_ENCODING", "")
        if not re_accepts_br.search(accepted) or getattr(response, "is_async", False):
            return super().process_response(request, response)
        patch_vary_headers(response, ("Accept-Encoding",))
        if response.streaming:
            response.streaming_content = _brotli_stream(response.streaming_content)
            del response.headers["Content-Length"]
        else:
            compressed = brotli.compress(response.content, quality=BROTLI_QUALITY)
            if len(compressed) >= len(response.content):
                return response
            response.content = compressed
            response.headers["Content-Length"] = str(len(compressed))
        etag = response.get("ETag")
        if etag and etag.startswith('"'):
            response.headers["ETag"] = "W/" + etag
        response.headers["Content-Encoding"] = "br"
        return response
