import pytest

from tests.e2e.conftest import log_in
from zhurnal.school.testing import PASSWORD, build_small_school


@pytest.mark.django_db(transaction=True)
def test_class_teacher_logs_in_and_sees_his_class_list(live_server, page):
    school = build_small_school()
    log_in(page, live_server, "class_teacher", PASSWORD)
    assert page.url.endswith(f"/classes/{school.class_5a.pk}/")
    assert page.locator("h1").inner_text().startswith("Класс 5А")
    assert page.locator("#roster tbody tr").count() == 3
    assert "Иванов" in page.locator("#roster").inner_text()


@pytest.mark.django_db(transaction=True)
def test_wrong_password_gets_a_clear_message(live_server, page):
    build_small_school()
    log_in(page, live_server, "teacher", "wrong-password")
    assert "Неверный логин или пароль" in page.locator(".errorlist").inner_text()
