"""Uploads are checked by their content, served with safe headers, and stopped at the limit while they arrive."""

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, RequestFactory
from django.urls import reverse

from zhurnal.core import uploads
from zhurnal.core.testing import sample_file

EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 100 + b"This program cannot be run"


@pytest.mark.parametrize("kind", ["pdf", "png", "jpeg", "gif", "webp", "docx", "xlsx", "pptx", "odt", "txt", "csv"])
def test_each_kind_passes_with_its_own_content(kind):
    name = f"файл.{uploads.KINDS[kind].extensions[0].lstrip('.')}"
    checked = uploads.check_upload(SimpleUploadedFile(name, sample_file(kind)), [kind])
    assert checked.kind.name == kind and checked.size == len(sample_file(kind))


@pytest.mark.parametrize("name", ["homework.pdf", "рисунок.png", "задание.docx", "список.csv", "задание.txt"])
def test_an_exe_under_any_allowed_name_is_refused(name):
    with pytest.raises(ValidationError, match="по содержимому это не|не является таблицей"):
        uploads.check_upload(SimpleUploadedFile(name, EXE), uploads.HOMEWORK_KINDS + ("csv",))


def test_a_zip_is_not_a_word_document_and_a_word_document_is_not_a_workbook():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("payload.exe", EXE)
    with pytest.raises(ValidationError, match="не документ Word"):
        uploads.check_upload(SimpleUploadedFile("задание.docx", out.getvalue()), ["docx"])
    with pytest.raises(ValidationError, match="не является таблицей Excel"):
        uploads.check_upload(SimpleUploadedFile("оценки.xlsx", sample_file("docx")), ["xlsx"])


def test_html_posing_as_a_picture_and_binary_posing_as_text_are_refused():
    with pytest.raises(ValidationError):
        uploads.check_upload(SimpleUploadedFile("фото.jpg", b"<html><script>alert(1)</script>"), ["jpeg"])
    with pytest.raises(ValidationError):
        uploads.check_upload(SimpleUploadedFile("задание.txt", b"text\x00\x01\x02binary"), ["txt"])


def test_text_in_windows_1251_and_utf16_passes():
    uploads.check_upload(SimpleUploadedFile("список.csv", "Иванов;Иван".encode("cp1251")), ["csv"])
    uploads.check_upload(SimpleUploadedFile("список.csv", "Иванов;Иван".encode("utf-16")), ["csv"])


def test_type_size_and_emptiness_are_refused_with_russian_messages():
    with pytest.raises(ValidationError, match="такой тип файла не принимается. Можно: pdf"):
        uploads.check_upload(SimpleUploadedFile("virus.exe", EXE), ["pdf"])
    with pytest.raises(ValidationError, match="файл пустой"):
        uploads.check_upload(SimpleUploadedFile("пусто.pdf", b""), ["pdf"])
    with pytest.raises(ValidationError, match="больше 1 МБ"):
        uploads.check_upload(SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * 1024 * 1024), ["pdf"],
                             max_bytes=1024 * 1024)


def test_file_response_headers():
    response = uploads.file_response(b"<html>", filename="Отчёт 5А.html", content_type="")
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;") and "filename*=utf-8''" in response[
        "Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff" and "sandbox" in response["Content-Security-Policy"]
    pdf = uploads.file_response(b"%PDF-", filename="a.pdf", content_type="application/pdf", inline=True)
    assert pdf["Content-Disposition"].startswith("inline")
    # an HTML file is never shown inline, whatever the caller asks
    html = uploads.file_response(b"<html>", filename="a.html", content_type="text/html", inline=True)
    assert html["Content-Disposition"].startswith("attachment")


@pytest.mark.django_db
def test_a_declared_body_over_the_limit_is_refused_before_it_is_read(small_school, settings):
    settings.ZHURNAL_MAX_REQUEST_BYTES = settings.ZHURNAL_MAX_UPLOAD_BYTES = 2048
    client = Client()
    client.force_login(small_school.users["teacher"])
    response = client.post(reverse("core:home"), {"file": SimpleUploadedFile("a.pdf", b"%PDF-" + b"0" * 4096)})
    assert response.status_code == 413
    html = response.content.decode()
    assert "Файл слишком большой" in html and "больше 2 КБ" in html  # the limit is named


def test_the_counting_handler_stops_a_body_that_did_not_declare_its_length(settings):
    settings.ZHURNAL_MAX_REQUEST_BYTES = 1000
    handler = uploads.CountingUploadHandler(RequestFactory().post("/no-such-page/"))
    assert handler.receive_data_chunk(b"x" * 600, 0) == b"x" * 600
    with pytest.raises(uploads.UploadTooLarge):
        handler.receive_data_chunk(b"x" * 600, 600)
