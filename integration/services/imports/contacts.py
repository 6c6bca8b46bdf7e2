"""Xero contacts → Procore vendors (CO-2), linking and archiving companies (CO-3), and Xero tracking
options → Procore projects (PRJ-4).

``import_contacts(*, link, trigger, actor, contact_id=None)``: the contacts of the link's contact group
(``vendor_contact_group``, "Procore" by default) become Procore vendors (name, address, phone, fax,
email; ``origin_id`` = ContactID) and linked ``Vendor`` rows. A contact whose ``ContactNumber`` is the
Procore id of a known vendor (it was exported from Procore) is linked, not duplicated. Once linked,
name and phone changes in Xero update Procore; the address never does (CO-2).

Linking by hand (CO-3): ``vendor_link_suggestions`` ranks Xero contacts for each unlinked company by
normalised name, tax number and email; ``vendor_link`` / ``vendor_unlink``; ``vendor_archive`` /
``vendor_unarchive`` (the archived companies list); ``companies_refresh`` re-reads the contacts of the
linked companies from Xero.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from integration.models import CompanyLink, ErpStatus, Project, SyncRun, Vendor
from integration.services.audit import audit_record
from integration.services.status import apply_transition, target_status

from .common import BadDocument, clients_for, create_once, obj, rows, run_guarded, start_run, text

_SUFFIXES = {"ltd", "limited", "inc", "incorporated", "llc", "co", "company", "corp", "corporation", "pty", "plc",
             "the", "and", "nz", "gmbh"}


def normalise_name(name: str) -> str:
    """CO-3: case, accents, punctuation and legal suffixes ("Ltd", "Inc", ...) do not count."""
    text_ = unicodedata.normalize("NFKD", name or "").encode("ascii", "ignore").decode().casefold()
    text_ = text_.replace("&", " and ")
    words = [w for w in re.split(r"[^a-z0-9]+", text_) if w and w not in _SUFFIXES]
    return " ".join(words)


def _digits(value: str) -> str:
    return re.sub(r"[^0-9a-z]", "", (value or "").casefold())


@dataclass(frozen=True)
class ContactData:
    contact_id: str
    name: str
    number: str
    status: str
    email: str
    tax_number: str
    phone: str
    fax: str
    address: dict


def parse_contact(doc: dict) -> ContactData:
    if not isinstance(doc, dict):
        raise BadDocument("a contact is not an object")
    contact_id = text(doc.get("ContactID"), "ContactID", required=True).lower()
    where = f"contact {contact_id}"
    phones = {text(p.get("PhoneType"), f"{where}: PhoneType").upper(): p for p in rows(doc.get("Phones"), f"{where}: Phones")}

    def phone(kind: str) -> str:
        p = phones.get(kind) or {}
        parts = [text(p.get(k), f"{where}: {k}") for k in ("PhoneCountryCode", "PhoneAreaCode", "PhoneNumber")]
        return " ".join(x for x in parts if x)[:50]

    addresses = rows(doc.get("Addresses"), f"{where}: Addresses")
    address = next((a for a in addresses if a.get("AddressType") == "POBOX" and a.get("AddressLine1")),
                   next((a for a in addresses if a.get("AddressLine1")), {}))
    return ContactData(
        contact_id=contact_id, name=text(doc.get("Name"), f"{where}: Name", required=True, limit=255),
        number=text(doc.get("ContactNumber"), f"{where}: ContactNumber"),
        status=text(doc.get("ContactStatus"), f"{where}: ContactStatus") or "ACTIVE",
        email=text(doc.get("EmailAddress"), f"{where}: EmailAddress", limit=255),
        tax_number=text(doc.get("TaxNumber"), f"{where}: TaxNumber", limit=50),
        phone=phone("DEFAULT"), fax=phone("FAX"),
        address={"address": text(address.get("AddressLine1"), f"{where}: AddressLine1", limit=255),
                 "city": text(address.get("City"), f"{where}: City", limit=100),
                 "state_code": text(address.get("Region"), f"{where}: Region", limit=10),
                 "zip": text(address.get("PostalCode"), f"{where}: PostalCode", limit=20)},
    )


def _group_contact_ids(xero, group_name: str) -> list[str]:
    group = next((g for g in xero.list_contact_groups()
                  if str(g.get("Name", "")).strip().casefold() == group_name.strip().casefold()), None)
    if group is None:
        return []
    return [str(c.get("ContactID")).lower() for c in xero.list_group_contacts(group["ContactGroupID"])
            if isinstance(c, dict) and c.get("ContactID")]


def _contacts(xero, ids: list[str]) -> list[dict]:
    return list(xero.iter_contacts(ids=ids, include_archived=True)) if ids else []


def import_contacts(*, link: CompanyLink, trigger: str = SyncRun.Trigger.ON_DEMAND, actor=None,
                    contact_id: str | None = None) -> SyncRun:
    """CO-2: the contact group → Procore vendors; with `contact_id` only that contact (webhook, JC-9)."""
    tracker = start_run(link=link, kind=SyncRun.Kind.CONTACTS, trigger=trigger, actor=actor,
                        parameters={"contact_id": contact_id})

    def body() -> str:
        xero, procore = clients_for(link)
        in_group = set(_group_contact_ids(xero, link.vendor_contact_group))
        if contact_id:
            wanted = [contact_id.lower()]
        else:
            wanted = sorted(in_group)
        tracker.total(len(wanted))
        for raw in _contacts(xero, wanted):
            tracker.count("read")
            try:
                contact = parse_contact(raw)
            except BadDocument as exc:
                tracker.count("failed")
                tracker.error(None, f"Xero contact skipped: {exc}")
                continue
            _one(link, contact, procore, tracker, actor, in_group=contact.contact_id in in_group)
            tracker.advance()
        return "" if in_group or contact_id else f"No contact group named '{link.vendor_contact_group}' in Xero."

    return run_guarded(tracker, link, body)


def _one(link, contact: ContactData, procore, tracker, actor, *, in_group: bool) -> None:
    from procore_client.errors import ProcoreError

    try:
        vendor = Vendor.objects.filter(link=link, xero_id__iexact=contact.contact_id).first()
        if vendor is None and contact.number.isdigit():
            vendor = Vendor.objects.filter(link=link, procore_id=int(contact.number), xero_id="").first()
            if vendor is not None:  # exported from Procore earlier: link it, do not duplicate it
                vendor_link(vendor=vendor, contact_id=contact.contact_id, actor=actor or "system", procore=procore)
                vendor.refresh_from_db()
        if vendor is not None:
            changes = {}
            if contact.name != vendor.name:
                changes["name"] = contact.name
            if contact.phone and contact.phone != vendor.business_phone:
                changes["business_phone"] = contact.phone
            if not changes:
                tracker.count("skipped")
                return
            if vendor.procore_id:
                procore.update_vendor(vendor.procore_id, {"name": contact.name, **changes})
            with transaction.atomic():
                Vendor.objects.filter(pk=vendor.pk).update(**changes, updated_at=timezone.now())
                audit_record(vendor, action="vendor_from_xero", actor=actor or "system", payload=changes)
            tracker.count("updated")
            return
        if not in_group:
            tracker.count("skipped")
            return
        payload = {"name": contact.name, **{k: v for k, v in contact.address.items() if v},
                   "business_phone": contact.phone or None, "fax_number": contact.fax or None,
                   "email_address": contact.email or None, "origin_id": contact.contact_id}
        payload = {k: v for k, v in payload.items() if v}
        created = create_once(lambda: procore.create_vendor(payload),
                              lambda: next(iter(procore.list_vendors(origin_id=contact.contact_id)), None))
        with transaction.atomic():
            vendor, _ = Vendor.objects.update_or_create(
                link=link, procore_id=created["id"],
                defaults={"name": contact.name, **contact.address, "business_phone": contact.phone,
                          "fax_number": contact.fax, "email_address": contact.email,
                          "tax_number": contact.tax_number, "xero_id": contact.contact_id,
                          "erp_status": ErpStatus.SYNCED, "erp_status_changed_at": timezone.now(),
                          "xero_synced_at": timezone.now(), "locked": True})
            audit_record(vendor, action="vendor_import", actor=actor or "system", to_status=ErpStatus.SYNCED,
                         payload=payload, response={"id": created["id"]})
        tracker.count("created")
    except ProcoreError as exc:
        tracker.count("failed")
        tracker.error(None, f"Contact {contact.name}: Procore refused it: {exc}")


# ---------------------------------------------------------------------------------- CO-3
@dataclass(frozen=True)
class Suggestion:
    vendor_id: int
    contact_id: str
    contact_name: str
    score: int
    reasons: tuple[str, ...]


def vendor_link_suggestions(*, link: CompanyLink, xero=None, vendors=None, limit: int = 3) -> dict[int, list[Suggestion]]:
    """CO-3: for each unlinked company, the Xero contacts most like it (name, tax number, email)."""
    if xero is None:
        from integration.services.connections import xero_client_for

        xero = xero_client_for(link)
    if vendors is None:
        vendors = Vendor.objects.filter(link=link, xero_id="", archived_in_erp=False)
    linked = {x.lower() for x in Vendor.objects.filter(link=link).exclude(xero_id="").values_list("xero_id", flat=True)}
    contacts = []
    for raw in xero.iter_contacts():
        try:
            contact = parse_contact(raw)
        except BadDocument:
            continue
        if contact.contact_id not in linked:
            contacts.append(contact)
    out: dict[int, list[Suggestion]] = {}
    for vendor in vendors:
        name = normalise_name(vendor.name)
        found = []
        for contact in contacts:
            reasons = []
            if name and normalise_name(contact.name) == name:
                reasons.append("name")
            if vendor.tax_number and _digits(contact.tax_number) == _digits(vendor.tax_number):
                reasons.append("tax number")
            if vendor.email_address and contact.email.casefold() == vendor.email_address.strip().casefold():
                reasons.append("email")
            if reasons:
                score = 50 * ("tax number" in reasons) + 30 * ("name" in reasons) + 20 * ("email" in reasons)
                found.append(Suggestion(vendor.pk, contact.contact_id, contact.name, score, tuple(reasons)))
        if found:
            out[vendor.pk] = sorted(found, key=lambda s: -s.score)[:limit]
    return out


def vendor_link(*, vendor: Vendor, contact_id: str, actor, procore=None, xero=None) -> Vendor:
    """CO-3: link a Procore company to an existing Xero contact (origin_id set in Procore)."""
    contact_id = (contact_id or "").strip().lower()
    if not re.fullmatch(r"[0-9a-f-]{36}", contact_id):
        raise ValueError("A Xero ContactID is a GUID.")
    other = Vendor.objects.filter(link=vendor.link, xero_id__iexact=contact_id).exclude(pk=vendor.pk).first()
    if other is not None:
        raise ValueError(f"That Xero contact is already linked to {other.name}.")
    target_status(vendor, "link_existing")  # refuses, before anything is written, a company already linked
    if xero is not None:
        xero.get_contact(contact_id)  # it exists (NotFound otherwise)
    if vendor.procore_id:
        if procore is None:
            from integration.services.connections import procore_client_for

            procore = procore_client_for(vendor.link)
        procore.set_vendor_origin_id(vendor.procore_id, contact_id)
    with transaction.atomic():
        locked = Vendor.objects.select_for_update().get(pk=vendor.pk)
        apply_transition(locked, "link_existing", actor=actor, message=f"Linked to Xero contact {contact_id}",
                         update_fields={"xero_id": contact_id, "locked": bool(vendor.procore_id), "xero_synced_at": timezone.now(),
                                        "erp_message": "", "idempotency_key": ""})
    return locked


def vendor_unlink(*, vendor: Vendor, actor, procore=None) -> Vendor:
    """CO-3: forget the link (origin_id cleared in Procore); nothing is deleted anywhere."""
    if vendor.procore_id and vendor.xero_id:
        if procore is None:
            from integration.services.connections import procore_client_for

            procore = procore_client_for(vendor.link)
        procore.clear_vendor_origin_id(vendor.procore_id)
    with transaction.atomic():
        locked = Vendor.objects.select_for_update().get(pk=vendor.pk)
        previous, contact = locked.erp_status, locked.xero_id
        locked.xero_id, locked.erp_status, locked.locked = "", ErpStatus.UNLINKED, False
        locked.erp_status_changed_at = timezone.now()
        locked.save()
        audit_record(locked, action="vendor_unlink", actor=actor, from_status=previous, to_status=locked.erp_status,
                     message=f"Unlinked from Xero contact {contact}")
    return locked


def vendor_archive(*, vendor: Vendor, actor, archived: bool = True) -> Vendor:
    """CO-3: archive an ERP company (it leaves the lists and the suggestions; the archived list shows it)."""
    with transaction.atomic():
        locked = Vendor.objects.select_for_update().get(pk=vendor.pk)
        if locked.archived_in_erp != archived:
            locked.archived_in_erp = archived
            locked.save(update_fields=["archived_in_erp", "updated_at"])
            audit_record(locked, action="vendor_archive" if archived else "vendor_unarchive", actor=actor)
    return locked


def vendor_unarchive(*, vendor: Vendor, actor) -> Vendor:
    return vendor_archive(vendor=vendor, actor=actor, archived=False)


def companies_refresh(*, link: CompanyLink, actor=None, trigger: str = SyncRun.Trigger.ON_DEMAND) -> SyncRun:
    """CO-3 "refresh the companies list": re-read the linked contacts (email and tax number are kept
    here for the suggestions; name and phone follow CO-2 through `import_contacts`)."""
    tracker = start_run(link=link, kind=SyncRun.Kind.CONTACTS, trigger=trigger, actor=actor,
                        parameters={"refresh": True})

    def body() -> str:
        xero, _ = clients_for(link)
        vendors = {v.xero_id.lower(): v for v in Vendor.objects.filter(link=link).exclude(xero_id="")}
        for raw in _contacts(xero, sorted(vendors)):
            tracker.count("read")
            try:
                contact = parse_contact(raw)
            except BadDocument as exc:
                tracker.count("failed")
                tracker.error(None, str(exc))
                continue
            vendor = vendors.get(contact.contact_id)
            if vendor is None:
                continue
            values = {"email_address": contact.email, "tax_number": contact.tax_number}
            if all(getattr(vendor, k) == v for k, v in values.items()):
                tracker.count("skipped")
                continue
            Vendor.objects.filter(pk=vendor.pk).update(**values, updated_at=timezone.now())
            tracker.count("updated")
        return ""

    return run_guarded(tracker, link, body)


# ---------------------------------------------------------------------------------- PRJ-4
def tracking_options_importable(*, link: CompanyLink, xero=None) -> list[dict]:
    """The active options of the project tracking category that are no Procore project yet."""
    if xero is None:
        from integration.services.connections import xero_client_for

        xero = xero_client_for(link)
    category = next((c for c in xero.list_tracking_categories()
                     if str(c.get("Name", "")).casefold() == link.project_tracking_category.casefold()), None)
    if category is None:
        return []
    known = {x.lower() for x in Project.objects.filter(link=link).exclude(xero_id="").values_list("xero_id", flat=True)}
    return [dict(o, TrackingCategoryID=category["TrackingCategoryID"]) for o in rows(category.get("Options"), "Options")
            if o.get("Status", "ACTIVE") == "ACTIVE" and str(o.get("TrackingOptionID", "")).lower() not in known]


def project_import_from_xero(*, link: CompanyLink, option_id: str, actor, project_number: str = "",
                             xero=None, procore=None) -> Project:
    """PRJ-4 "add an ERP job to Procore": a Xero tracking option becomes a new Procore project, linked
    (origin_id = the option id). The job number is given, or the option name's first word when it has one."""
    if xero is None or procore is None:
        xero, procore = clients_for(link)
    option_id = (option_id or "").strip().lower()
    option = next((o for o in tracking_options_importable(link=link, xero=xero)
                   if str(o.get("TrackingOptionID", "")).lower() == option_id), None)
    if option is None:
        raise ValueError("That tracking option is not an active, unlinked option of the project category.")
    option_name = text(obj(option, "option").get("Name"), "option Name", required=True)
    name = option_name
    if not project_number and " " in option_name and any(ch.isdigit() for ch in option_name.split(" ", 1)[0]):
        project_number, name = option_name.split(" ", 1)
    payload = {"name": name, "origin_id": option_id, **({"project_number": project_number} if project_number else {})}
    created = create_once(lambda: procore.create_project(payload),
                          lambda: next(iter(procore.list_projects(origin_id=option_id)), None))
    with transaction.atomic():
        project, _ = Project.objects.update_or_create(
            link=link, procore_id=created["id"],
            defaults={"name": name, "project_number": project_number, "xero_id": option_id,
                      "xero_option_name": option_name, "xero_option_status": "ACTIVE",
                      "erp_status": ErpStatus.SYNCED, "erp_status_changed_at": timezone.now(),
                      "xero_synced_at": timezone.now(), "locked": True})
        audit_record(project, action="project_import", actor=actor, to_status=ErpStatus.SYNCED, payload=payload,
                     response={"id": created["id"]})
    return project
