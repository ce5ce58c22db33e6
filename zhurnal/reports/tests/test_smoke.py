import pytest

from zhurnal.reports import catalog


@pytest.mark.parametrize("key", sorted(catalog.ALL))
def test_every_report_renders_in_every_format(report_school, client, key):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="deputy"))
    spec = catalog.ALL[key]
    response = client.get(f"/reports/{key}/")
    assert response.status_code == 200, response.content[:2000]
    for fmt in spec.formats:
        if spec.background:
            response = client.post(f"/reports/{key}/export/", {"format": fmt})
            assert response.status_code == 302
        else:
            response = client.get(f"/reports/{key}/?format={fmt}")
            assert response.status_code == 200
