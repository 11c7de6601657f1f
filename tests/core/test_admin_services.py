"""An admin whose model has services saves through them: it says so with
``audits_itself`` and then overrides every write of the admin, so no save or
delete falls back to the admin's own ``save()`` without the service's audit."""

from __future__ import annotations

from django.contrib import admin

from core.admin_audit import AuditedAdminMixin

WRITES = ("save_model", "delete_model", "delete_queryset")


def _own(model_admin: admin.ModelAdmin, name: str) -> bool:
    """Whether the admin's own class (not Django's, not the audit mixin
    that wraps every admin) defines ``name``."""
    return any(
        name in vars(klass)
        for klass in type(model_admin).__mro__
        if klass is not AuditedAdminMixin and not klass.__module__.startswith("django.")
    )


def test_every_admin_that_audits_itself_writes_through_its_own_methods():
    service_admins = [
        model_admin
        for model_admin in admin.site._registry.values()
        if getattr(model_admin, "audits_itself", False)
    ]
    assert service_admins, "the membership admin saves through the services"
    for model_admin in service_admins:
        for name in WRITES:
            assert _own(model_admin, name), f"{type(model_admin).__name__}.{name}"
