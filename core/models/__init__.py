"""Sites (reference data), people, memberships and the audit log: one module
per concept (``sites``, ``people``, ``access``, ``audit``, ``operations``),
every model imported here so ``from core.models import X`` finds it.

The spine of the product is site -> person -> intake case -> stay -> plan ->
measurement. Everything a site differs in (status over time, capacity per
place type, target-group criteria) is stored as rows, not code.
"""

from core.models.access import (
    ReadAccess,
    SubjectAccessDisclosure,
    UserSession,
)
from core.models.audit import (
    AUDIT_MESSAGE_KEY,
    AUDIT_PARAM_LABELS,
    AuditEvent,
    AuditKind,
)
from core.models.operations import (
    NotificationSettings,
    RetentionListing,
    WorkerHeartbeat,
)
from core.models.people import (
    BIRTH_DATE_IMPLAUSIBLE,
    DJI_NUMBER_VALIDATOR,
    GENDER_IMPORT_CODES,
    MAX_AGE_YEARS,
    MIN_AGE_YEARS,
    PSEUDONYM_ALPHABET,
    Gender,
    Membership,
    Person,
    age_on,
    birth_date_error,
    new_pseudonym,
)
from core.models.sites import (
    CapacityPeriod,
    CriteriaVersion,
    Criterion,
    CriterionKind,
    LegalStatus,
    PlaceType,
    SecurityLevel,
    SentenceBoundKind,
    Site,
    SiteGender,
    SiteStatus,
    SiteStatusPeriod,
    SiteVersion,
)

__all__ = [
    "AUDIT_MESSAGE_KEY",
    "AUDIT_PARAM_LABELS",
    "BIRTH_DATE_IMPLAUSIBLE",
    "DJI_NUMBER_VALIDATOR",
    "GENDER_IMPORT_CODES",
    "MAX_AGE_YEARS",
    "MIN_AGE_YEARS",
    "PSEUDONYM_ALPHABET",
    "AuditEvent",
    "AuditKind",
    "CapacityPeriod",
    "CriteriaVersion",
    "Criterion",
    "CriterionKind",
    "Gender",
    "LegalStatus",
    "Membership",
    "NotificationSettings",
    "Person",
    "PlaceType",
    "ReadAccess",
    "RetentionListing",
    "SecurityLevel",
    "SentenceBoundKind",
    "Site",
    "SiteGender",
    "SiteStatus",
    "SiteStatusPeriod",
    "SiteVersion",
    "SubjectAccessDisclosure",
    "UserSession",
    "WorkerHeartbeat",
    "age_on",
    "birth_date_error",
    "new_pseudonym",
]
