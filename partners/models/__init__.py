"""Partner organisations, contact persons, each site's responsibility table,
who plays which role on a case, consents and the person's social network:
one module per concept (``organisations``, ``roles``, ``consents``,
``network``), every model imported here so ``from partners.models import X``
finds it.
"""

# isort: off
# In the order the models were defined: the order they are registered in
# sets the order of the sections of the data-subject access document
# (core.subject_access) and of the tables in a backup.
from partners.models.organisations import (
    ContactPerson,
    Organisation,
    OrganisationKind,
    OrganisationQuerySet,
    OrganisationTakeOver,
    PartnerResponsibility,
    ResponsibilityTable,
    agreed_and_performing_organisations,
)
from partners.models.roles import (
    CONTACT_BEFORE_ROLE,
    REPORT_BEFORE_CONTACT,
    ROLE_HOLDER_REQUIRED,
    AgreedRole,
    CaseRole,
    CaseRoleKind,
    RoleContact,
    RoleContactKind,
)
from partners.models.consents import (
    WITHDRAWN_BEFORE_GIVEN,
    Consent,
    ConsentKind,
    RequiredConsent,
)
from partners.models.network import (
    NetworkContact,
    NetworkContactKind,
    NetworkMember,
    Relation,
)
# isort: on

__all__ = [
    "CONTACT_BEFORE_ROLE",
    "REPORT_BEFORE_CONTACT",
    "ROLE_HOLDER_REQUIRED",
    "WITHDRAWN_BEFORE_GIVEN",
    "AgreedRole",
    "CaseRole",
    "CaseRoleKind",
    "Consent",
    "ConsentKind",
    "ContactPerson",
    "NetworkContact",
    "NetworkContactKind",
    "NetworkMember",
    "Organisation",
    "OrganisationKind",
    "OrganisationQuerySet",
    "OrganisationTakeOver",
    "PartnerResponsibility",
    "Relation",
    "RequiredConsent",
    "ResponsibilityTable",
    "RoleContact",
    "RoleContactKind",
    "agreed_and_performing_organisations",
]
