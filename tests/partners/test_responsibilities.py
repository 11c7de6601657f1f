from __future__ import annotations

import pytest

from partners.models import Organisation, PartnerResponsibility, ResponsibilityTable
from partners.reference import partners_load

pytestmark = pytest.mark.django_db


def test_every_site_has_its_table_transcribed_from_the_report(reference):
    rows = {
        table.site.code: (table.number, table.rows.count())
        for table in ResponsibilityTable.objects.select_related("site")
    }
    assert rows == {
        "almelo": ("2.1.1", 13),
        "amsterdam": ("2.2.1", 15),
        "krimpen": ("2.3.1", 7),
        "middelburg": ("2.4.1", 8),
        "rotterdam": ("2.5.1", 10),
    }
    rc = PartnerResponsibility.objects.get(partner="Rechter-commissaris (RC)")
    assert rc.intake == "Besluit tot plaatsing in de KV en schorsing onder voorwaarden."


def test_loading_twice_changes_nothing(reference):
    before = (
        Organisation.objects.count(),
        PartnerResponsibility.objects.count(),
        list(
            PartnerResponsibility.objects.order_by("table", "order").values_list(
                "partner", flat=True
            )
        ),
    )
    partners_load()
    after = (
        Organisation.objects.count(),
        PartnerResponsibility.objects.count(),
        list(
            PartnerResponsibility.objects.order_by("table", "order").values_list(
                "partner", flat=True
            )
        ),
    )
    assert before == after


def test_site_page_links_to_a_readable_responsibility_table(
    client, reference, django_user_model
):
    from core.scoping import Role
    from tests.factories import user_with_role

    user = user_with_role(Role.RESEARCHER, reference["krimpen"])
    client.force_login(user)
    site_page = client.get("/sites/krimpen/").content.decode()
    assert "/partners/sites/krimpen/responsibilities/" in site_page
    page = client.get("/partners/sites/krimpen/responsibilities/").content.decode()
    assert "Levert twee arbeidsconsulenten en een projectleider." in page
    assert 'id="table-231"' in page
    # Krimpen's table has one responsibility column only.
    assert page.count('<th scope="col">') == 2
    assert client.get("/partners/sites/almelo/responsibilities/").status_code == 404


def test_organisations_of_other_sites_are_not_listed(
    client, reference, casemanager_almelo
):
    client.force_login(casemanager_almelo)
    page = client.get("/partners/?q=Middelburg").content.decode()
    assert "Gemeente Middelburg" not in page
    page = client.get("/partners/?q=Twentse").content.decode()
    assert "Twentse gemeenten" in page
    middelburg = Organisation.objects.get(name="PI Middelburg")
    assert client.get(f"/partners/organisations/{middelburg.pk}/").status_code == 404
