"""Links isolated (SEC-3): records that refer to each other belong to one link.

Everything the connector holds is scoped to a company link (one Procore company, one Xero
organisation). A record of one link that pointed at a record of another would export one company's
cost items into the other's books, so every form and service that relates two records checks here
that they share the link, and every admin choice list offers only the records of the link.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.utils.text import capfirst


def is_link_scoped(model) -> bool:
    """A model whose rows belong to one link (a `link` foreign key to CompanyLink)."""
    try:
        field = model._meta.get_field("link")
    except Exception:
        return False
    return getattr(field, "related_model", None) is not None and field.related_model._meta.model_name == "companylink"


def _link_name(link_id) -> str:
    from integration.models import CompanyLink

    link = CompanyLink.objects.filter(pk=link_id).only("name").first()
    return f"'{link.name}' (#{link_id})" if link else f"#{link_id}"


def foreign_message(obj, link_id) -> str:
    """What is wrong, in the words of the person choosing: which record, whose it is, whose it should be."""
    label = capfirst(obj._meta.verbose_name)
    return (f"{label} {obj} belongs to link {_link_name(obj.link_id)}, not to {_link_name(link_id)}: "
            "records of one link can only refer to records of the same link.")


def cross_link_errors(link_id, related: dict[str, object]) -> dict[str, list[str]]:
    """{field: [message]} for every related record (or record of an iterable) not of link_id."""
    errors: dict[str, list[str]] = {}
    if link_id is None:
        return errors
    for name, value in related.items():
        values = value if isinstance(value, Iterable) and not isinstance(value, (str, bytes)) else [value]
        for obj in values:
            if obj is None or not is_link_scoped(type(obj)):
                continue
            if obj.link_id != link_id:
                errors.setdefault(name, []).append(foreign_message(obj, link_id))
    return errors


def require_same_link(link_id, **related) -> None:
    """Refuse (ValidationError naming each field) any related record that is not of link_id."""
    errors = cross_link_errors(link_id, related)
    if errors:
        raise ValidationError(errors)
