"""manage.py retention: lists what is past its retention period and, when
confirmed, pseudonymises it, audited."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.core.management import call_command

from core.models import AuditEvent, AuditKind, Person
from core.retention import REMOVED_TEXT, people_past_retention
from core.services import person_update
from tests.factories import (
    AuditEventFactory,
    IntakeCaseFactory,
    PersonFactory,
    StayFactory,
    UserFactory,
)

TODAY = datetime.date(2030, 6, 15)


@pytest.fixture
def periods(settings):
    settings.KV_RETENTION_YEARS = {
        "intake_case": 2,
        "stay": 5,
        "person": 2,
        "audit_event": 7,
    }


def _run(*args: str) -> str:
    out = StringIO()
    call_command("retention", "--today", TODAY.isoformat(), *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def cases(almelo, periods):
    """One person per situation, named after whether they are due."""
    rejected_long_ago = IntakeCaseFactory(
        site=almelo,
        person__last_name="DueRejected",
        outcome="rejected",
        closed_on=datetime.date(2028, 6, 1),
    ).person
    rejected_recently = IntakeCaseFactory(
        site=almelo,
        person__last_name="KeepRejected",
        outcome="rejected",
        closed_on=datetime.date(2028, 7, 1),
    ).person
    open_case = IntakeCaseFactory(
        site=almelo, person__last_name="KeepOpen", opened_on=datetime.date(2020, 1, 1)
    ).person
    stay_ended_long_ago = StayFactory(
        site=almelo,
        person__last_name="DueStay",
        placed_on=datetime.date(2022, 1, 1),
        ended_on=datetime.date(2025, 6, 1),
        outflow_type="end_of_sentence",
    ).person
    stay_ended_recently = StayFactory(
        site=almelo,
        person__last_name="KeepStay",
        placed_on=datetime.date(2022, 1, 1),
        ended_on=datetime.date(2026, 1, 1),
        outflow_type="end_of_sentence",
    ).person
    stay_running = StayFactory(
        site=almelo,
        person__last_name="KeepRunning",
        placed_on=datetime.date(2010, 1, 1),
    ).person
    # An old stay but a recent rejected intake: the intake period still runs.
    mixed = StayFactory(
        site=almelo,
        person__last_name="KeepMixed",
        placed_on=datetime.date(2015, 1, 1),
        ended_on=datetime.date(2016, 1, 1),
        outflow_type="end_of_sentence",
    ).person
    IntakeCaseFactory(
        site=almelo,
        person=mixed,
        outcome="rejected",
        closed_on=datetime.date(2029, 1, 1),
    )
    registered_only = PersonFactory(
        site=almelo,
        last_name="DueRegistered",
        created_at=datetime.datetime(2027, 1, 1, tzinfo=datetime.UTC),
    )
    return {
        "due": [rejected_long_ago, stay_ended_long_ago, registered_only],
        "kept": [
            rejected_recently,
            open_case,
            stay_ended_recently,
            stay_running,
            mixed,
        ],
    }


def test_lists_exactly_the_people_past_every_period(cases):
    due = people_past_retention(today=TODAY)

    assert {entry.person.last_name: entry.kind for entry in due} == {
        "DueRejected": "intake_case",
        "DueStay": "stay",
        "DueRegistered": "person",
    }


def test_listing_changes_nothing_and_shows_no_names(cases):
    output = _run()

    assert "3 people" in output
    for person in cases["due"]:
        assert person.pseudonym in output
        assert person.last_name not in output
        person.refresh_from_db()
        assert person.pseudonymised_at is None
    assert not AuditEvent.objects.filter(kind=AuditKind.RETENTION).exists()


def test_confirm_pseudonymises_and_keeps_research_data(cases):
    person = cases["due"][0]
    original = Person.objects.get(pk=person.pk)
    case = person.intake_cases.get()

    _run("--confirm")

    person.refresh_from_db()
    assert person.first_name == person.pseudonym
    assert person.last_name == person.pseudonym
    assert person.dji_number == ""
    assert person.date_of_birth == datetime.date(original.date_of_birth.year, 7, 1)
    assert person.pseudonymised_at is not None
    assert person.municipality_of_origin == original.municipality_of_origin
    case.refresh_from_db()
    assert (case.outcome, case.closed_on) == ("rejected", datetime.date(2028, 6, 1))
    for kept in cases["kept"]:
        name = kept.last_name
        kept.refresh_from_db()
        assert (kept.last_name, kept.pseudonymised_at) == (name, None)


def test_confirm_also_scrubs_the_person_history(cases):
    person = cases["due"][0]
    old_name, old_dji = person.last_name, person.dji_number
    person_update(person=person, data={"municipality_of_origin": "Goes"})

    _run("--confirm")

    names = set(person.history.values_list("last_name", flat=True))
    djis = set(person.history.values_list("dji_number", flat=True))
    assert old_name not in names
    assert old_dji not in djis


def test_confirm_is_audited_with_pseudonyms_only(cases, almelo):
    _run("--confirm")

    event = AuditEvent.objects.get(kind=AuditKind.RETENTION, site=almelo)
    listed = {entry["pseudonym"] for entry in event.details["people"]}
    assert listed == {p.pseudonym for p in cases["due"]}
    assert "DueRejected" not in str(event.details) + event.summary


def test_second_run_finds_nothing(cases):
    _run("--confirm")

    assert "0 people" in _run()


def test_old_audit_events_lose_user_and_details(periods, almelo):
    user = UserFactory()
    old = AuditEventFactory(
        actor=user,
        actor_username=user.username,
        site=almelo,
        at=datetime.datetime(2023, 1, 1, tzinfo=datetime.UTC),
        details={"user": "someone"},
    )
    recent = AuditEventFactory(
        actor=user,
        actor_username=user.username,
        at=datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC),
    )

    _run("--confirm")

    old.refresh_from_db()
    recent.refresh_from_db()
    assert (old.actor, old.actor_username, old.details) == (None, "", {})
    assert old.kind == "login"
    assert recent.actor == user


def test_confirm_blanks_identifying_free_text_in_case_rows_and_history(cases):
    from partners.models import NetworkMember
    from tests.factories import GoalFactory, IndividualPlanFactory, NetworkMemberFactory

    rejected = cases["due"][0]
    case = rejected.intake_cases.get()
    case.referring_person = "Mw. Verwijzer"
    case.save()
    case.referring_person = "Mw. Verwijzer-Jansen"
    case.save()
    member = NetworkMemberFactory(person=rejected, name="Oom Kees", note="belt Kees")
    stay = cases["due"][1].stays.get()
    plan = IndividualPlanFactory(stay=stay, regievoerder="Dhr. Regie", notes="Piet")
    goal = GoalFactory(plan=plan, description="Werk vinden")
    kept_case = cases["kept"][0].intake_cases.get()
    kept_case.referring_person = "Mw. Blijft"
    kept_case.save()

    output = _run("--confirm")

    case.refresh_from_db()
    assert case.referring_person == ""
    assert set(case.history.values_list("referring_person", flat=True)) == {""}
    member.refresh_from_db()
    # a name is required on a network member: it says the text was removed
    assert (member.name, member.note) == (REMOVED_TEXT, "")
    history = NetworkMember.history.filter(id=member.pk)
    assert not history.filter(name__contains="Kees").exists()
    assert not history.filter(note__contains="Kees").exists()
    plan.refresh_from_db()
    assert (plan.regievoerder, plan.notes) == ("", "")
    assert not plan.history.filter(regievoerder="Dhr. Regie").exists()
    # research data and the trajectory's content stay
    goal.refresh_from_db()
    assert goal.description == "Werk vinden"
    # people still within their period keep everything
    kept_case.refresh_from_db()
    assert kept_case.referring_person == "Mw. Blijft"
    assert "Kees" not in output


def test_confirm_deletes_import_files_past_retention_and_keeps_the_record(
    cases, almelo, settings, tmp_path, django_capture_on_commit_callbacks
):
    from django.core.files.base import ContentFile

    from intake.models import ImportBatch
    from tests.factories.intake import EntryRouteFactory

    settings.MEDIA_ROOT = tmp_path
    route = EntryRouteFactory(process__site=almelo)
    user = UserFactory()

    def batch(uploaded: datetime.date) -> ImportBatch:
        made = ImportBatch(
            site=almelo,
            kind="dji_list",
            entry_route=route,
            list_date=uploaded,
            original_name="lijst.csv",
            uploaded_by=user,
            uploaded_at=datetime.datetime.combine(
                uploaded, datetime.time(12), tzinfo=datetime.UTC
            ),
        )
        made.file.save("lijst.csv", ContentFile(b"naam;geboortedatum\n"), save=True)
        return made

    old, recent = batch(datetime.date(2029, 6, 1)), batch(datetime.date(2029, 7, 1))
    old_path, recent_path = old.file.path, recent.file.path

    assert "1 import files" in _run()
    with django_capture_on_commit_callbacks(execute=True):
        output = _run("--confirm")

    assert "deleted 1 import files" in output
    old.refresh_from_db()
    recent.refresh_from_db()
    assert (bool(old.file), bool(recent.file)) == (False, True)
    from pathlib import Path

    assert (Path(old_path).exists(), Path(recent_path).exists()) == (False, True)
    assert old.original_name == "lijst.csv"  # the record of the import stays
    assert AuditEvent.objects.filter(
        kind=AuditKind.RETENTION, details__import_files=1
    ).exists()
