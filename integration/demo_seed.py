"""The demo's builder, as its Procore and its Xero would look before the connector is switched on.

Procore (`seed_procore`): the company "Harbourside Builders" with a "Send to Xero" project stage, one
standard cost code list of 40 cost codes and 3 cost types (Labor, Materials, Subcontract), 13 companies
in the directory (11 subcontractors and suppliers, one of them Australian, 2 owners), 3 projects in the
"Send to Xero" stage with every standard cost code, 11 approved commitments (8 subcontracts, 3 purchase
orders), 10 of them with an approved change order, 27 approved subcontractor invoices for last month
with 5 % or 10 % retainage
(one of them negative, a credit for returned material, one without its billing date, and one that only
releases the retainage withheld on a line of SC-001 this month, RET-1; the first carries its backup,
a PDF invoice and a lien waiver, ATT-1), and 2 prime
contracts with an approved owner invoice each (a progress claim of 3 or 4 lines on the project's cost
codes, 5 % retained). The company has two tax codes (GST 15 %, on every line, and NOGST); an Australian
supplier's purchase order is in AUD, its lines on NOGST (an imported supply carries no New Zealand
GST), with one invoice this month (BOOK-3, BOOK-7).

Xero (`seed_xero`): the organisation's standard chart of accounts and the contacts a builder already
pays without Procore (a council, a fuel card, a hardware merchant). The connector creates everything
else when it exports.

Everything is created the way a user would (the sandboxes' `create_record` / books), and the data is
the same on every run, so the demo's summary figures are stable.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

COST_CODES = [
    ("01-100", "General Conditions"), ("01-200", "Site Supervision"), ("01-500", "Temporary Facilities"),
    ("01-700", "Cleaning and Waste"), ("02-200", "Site Preparation"), ("02-300", "Earthworks"),
    ("02-500", "Piling"), ("02-700", "Drainage"), ("03-100", "Concrete Formwork"), ("03-200", "Reinforcing Steel"),
    ("03-300", "Cast-in-Place Concrete"), ("03-400", "Precast Concrete"), ("04-200", "Masonry Units"),
    ("05-100", "Structural Steel"), ("05-500", "Metal Fabrications"), ("06-100", "Rough Carpentry"),
    ("06-200", "Finish Carpentry"), ("07-100", "Waterproofing"), ("07-200", "Insulation"), ("07-400", "Roofing"),
    ("07-600", "Flashing and Sheet Metal"), ("08-100", "Doors and Frames"), ("08-500", "Windows"),
    ("08-800", "Glazing"), ("09-200", "Plaster and Gypsum Board"), ("09-300", "Tiling"), ("09-600", "Flooring"),
    ("09-900", "Painting"), ("10-100", "Specialties"), ("11-400", "Kitchen Equipment"), ("12-300", "Joinery"),
    ("14-200", "Lifts"), ("15-100", "Plumbing"), ("15-400", "Fire Protection"), ("15-700", "HVAC"),
    ("16-100", "Electrical"), ("16-500", "Lighting"), ("16-700", "Communications"), ("31-200", "Landscaping"),
    ("32-100", "Paving"),
]
COST_TYPES = [("L", "Labor", "other"), ("M", "Materials", "materials"), ("S", "Subcontract", "commitment")]

SUBCONTRACTORS = [
    # name, city, phone, cost codes the company works on
    ("Kauri Concrete Ltd", "4 Wharf Rd", "Auckland", "1010", "+64 9 555 0101", ["03-100", "03-300"]),
    ("Southern Steel Erectors", "88 Great South Rd", "Auckland", "1051", "+64 9 555 0102", ["05-100", "05-500"]),
    ("Tui Drywall & Linings", "17 Dominion Rd", "Auckland", "1024", "+64 9 555 0103", ["09-200", "09-900"]),
    ("Pohutukawa Plumbing", "2 Karaka St", "Auckland", "1010", "+64 9 555 0104", ["15-100", "15-400"]),
    ("Waitemata Electrical", "61 Nelson St", "Auckland", "1010", "+64 9 555 0105", ["16-100", "16-500"]),
    ("Rangitoto Roofing", "9 Lake Rd", "Devonport", "0624", "+64 9 555 0106", ["07-400", "07-600"]),
    ("Manukau Earthmovers", "140 Cavendish Dr", "Manukau", "2104", "+64 9 555 0107", ["02-300", "02-700"]),
    ("Harbour Glass & Glazing", "33 Fanshawe St", "Auckland", "1010", "+64 9 555 0108", ["08-500", "08-800"]),
    ("Totara Timber Supplies", "5 Rosebank Rd", "Avondale", "1026", "+64 9 555 0109", ["06-100", "06-200"]),
    ("Kowhai HVAC Services", "21 Khyber Pass Rd", "Grafton", "1023", "+64 9 555 0110", ["15-700"]),
]
OWNERS = [
    ("Harbour View Developments Ltd", "1 Queen St", "Auckland", "1010", "+64 9 555 0201"),
    ("Northcote Schools Trust", "12 Lake Rd", "Northcote", "0627", "+64 9 555 0202"),
]
PROJECTS = [
    ("Harbour View Apartments", "HV-101", "Auckland"),
    ("Northcote School Gym", "NS-204", "Northcote"),
    ("Devonport Ferry Terminal Upgrade", "DF-310", "Devonport"),
]
# commitment number -> (project index, vendor index, kind, title, lines [(cost code, cost type, amount)])
COMMITMENTS = [
    ("SC-001", 0, 0, "work_order_contract", "Concrete structure", [("03-100", "S", "84500.00"), ("03-300", "S", "212000.00")]),
    ("SC-002", 0, 1, "work_order_contract", "Structural steel package", [("05-100", "S", "156250.00"), ("05-500", "S", "18400.00")]),
    ("SC-003", 0, 2, "work_order_contract", "Linings and paint", [("09-200", "S", "96800.00"), ("09-900", "S", "41200.00")]),
    ("SC-004", 0, 4, "work_order_contract", "Electrical and lighting", [("16-100", "S", "138000.00"), ("16-500", "M", "22600.00")]),
    ("SC-005", 1, 3, "work_order_contract", "Plumbing and fire protection", [("15-100", "S", "64300.00"), ("15-400", "S", "28700.00")]),
    ("SC-006", 1, 5, "work_order_contract", "Roof and flashings", [("07-400", "S", "73900.00"), ("07-600", "M", "9800.00")]),
    ("SC-007", 1, 9, "work_order_contract", "Gym HVAC", [("15-700", "S", "88500.00")]),
    ("SC-008", 2, 6, "work_order_contract", "Bulk earthworks and drainage", [("02-300", "S", "118000.00"), ("02-700", "S", "36500.00")]),
    ("PO-009", 2, 7, "purchase_order_contract", "Terminal glazing supply", [("08-500", "M", "54200.00"), ("08-800", "M", "31750.00")]),
    ("PO-010", 2, 8, "purchase_order_contract", "Framing timber supply", [("06-100", "M", "27400.00"), ("06-200", "M", "12900.00")]),
]
# Percent of each line claimed per invoice; 25 invoices over the 10 commitments.
CLAIMS = [[Decimal("0.20"), Decimal("0.25"), Decimal("0.15")], [Decimal("0.30"), Decimal("0.20"), Decimal("0.10")],
          [Decimal("0.25"), Decimal("0.25"), Decimal("0.20")], [Decimal("0.15"), Decimal("0.20"), Decimal("0.20")],
          [Decimal("0.35"), Decimal("0.30")], [Decimal("0.40"), Decimal("0.30")], [Decimal("0.25"), Decimal("0.25")],
          [Decimal("0.30"), Decimal("0.30"), Decimal("0.20")], [Decimal("0.50"), Decimal("0.30")], [Decimal("0.60")]]
RETAINAGE = {"work_order_contract": Decimal("0.10"), "purchase_order_contract": Decimal("0.05")}
# The owners' progress claims for last month, by project: (cost code, cost type, scheduled value,
# work completed this period, materials presently stored); 5 % of each is retained.
OWNER_CLAIMS = {
    "HV-101": [("03-300", "S", "620000.00", "150000.00", "0.00"), ("05-100", "S", "410000.00", "110000.00", "15000.00"),
               ("09-200", "S", "280000.00", "60000.00", "0.00"), ("16-100", "S", "395000.00", "150000.00", "0.00")],
    "NS-204": [("15-100", "S", "190000.00", "64500.00", "0.00"), ("07-400", "S", "215000.00", "58000.00", "6000.00"),
               ("15-700", "S", "240000.00", "84000.00", "0.00")],
}
OWNER_RETAINAGE = Decimal("0.05")
# The backup a subcontractor uploads with its invoice: its own invoice and a lien waiver (ATT-1).
BACKUP = [("Kauri Concrete invoice.pdf", "%PDF-1.4\n% Kauri Concrete Ltd tax invoice, progress claim 1\n"),
          ("Lien waiver - progress claim 1.pdf", "%PDF-1.4\n% Conditional waiver and release on progress payment\n")]
XERO_CONTACTS = ["Auckland Council", "Z Energy Fuel Card", "Bunnings Trade", "Placemakers Mt Wellington"]
# Procore's tax codes (OAS:RestV10TaxCodesGet): code, description, rate1. GST is on every line and left
# unmapped in the demo (its lines take their account's default GST); NOGST is mapped to Xero's NONE.
TAX_CODES = [("GST", "GST 15%", 15.0), ("NOGST", "No GST (imported supply)", 0.0)]
# An Australian supplier, its purchase order in AUD on NOGST lines, and this month's claim on it.
FOREIGN_SUPPLIER = ("Sydney Facade Systems Pty Ltd", "50 Pitt St", "Sydney", "2000", "+61 2 5550 0111")
FOREIGN_ORDER = ("PO-011", "DF-310", "Imported facade panels", "AUD", [("08-500", "M", "48600.00")], Decimal("0.40"))


def last_month(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    today = today or dt.date.today()
    end = today.replace(day=1) - dt.timedelta(days=1)
    return end.replace(day=1), end


@dataclass
class Seeded:
    """What the seed created, by name, for the demo's later steps and its checks."""

    company_id: int = 0
    projects: dict[str, dict] = field(default_factory=dict)
    vendors: dict[str, dict] = field(default_factory=dict)
    commitments: dict[str, dict] = field(default_factory=dict)
    invoices: list[dict] = field(default_factory=list)
    owner_invoices: list[dict] = field(default_factory=list)
    negative_invoice: str = ""
    undated_invoice: str = ""
    release_invoice: str = ""
    backup_invoice: str = ""
    foreign_invoice: str = ""
    change_orders: int = 0
    released: Decimal = Decimal("0")
    period: tuple[dt.date, dt.date] = (dt.date.min, dt.date.min)

    @property
    def counts(self) -> dict[str, int]:
        return {"projects": len(self.projects), "vendors": len(self.vendors), "cost codes": len(COST_CODES),
                "cost types": len(COST_TYPES), "commitments": len(self.commitments),
                "change orders": self.change_orders, "subcontractor invoices": len(self.invoices),
                "owner invoices": len(self.owner_invoices)}


def _money(value: Decimal) -> str:
    return str(value.quantize(Decimal("0.01")))


def seed_procore(procore, *, today: dt.date | None = None) -> Seeded:
    """Fill an empty Procore sandbox with the demo's builder (see the module docstring)."""
    out = Seeded(company_id=procore.company_id, period=last_month(today))
    start, end = out.period
    create = procore.create_record
    stage = create("project_stage", {"name": "Send to Xero", "category": "course_of_construction"})
    create("project_stage", {"name": "Tendering", "category": "pre_construction"})
    std_list = create("standard_cost_code_list", {"name": "Xero Standard Cost Code List", "is_erp_list": True})
    standard = {code: create("standard_cost_code", {"standard_cost_code_list_id": std_list["id"], "code": code,
                                                     "name": name})
                for code, name in COST_CODES}
    types = {code: create("line_item_type", {"name": name, "code": code, "base_type": base})
             for code, name, base in COST_TYPES}
    taxes = {code: create("tax_code", {"code": code, "description": description, "rate1": rate,
                                       "default_tax_code": code == "GST"})
             for code, description, rate in TAX_CODES}
    for name, address, city, zip_code, phone, _codes in SUBCONTRACTORS:
        out.vendors[name] = create("vendor", {"name": name, "address": address, "city": city, "zip": zip_code,
                                              "country_code": "NZ", "business_phone": phone,
                                              "email_address": f"accounts@{name.split()[0].lower()}.example"})
    for name, address, city, zip_code, phone in OWNERS:
        out.vendors[name] = create("vendor", {"name": name, "address": address, "city": city, "zip": zip_code,
                                              "country_code": "NZ", "business_phone": phone})
    project_codes: dict[int, dict[str, dict]] = {}
    for index, (name, number, city) in enumerate(PROJECTS):
        project = create("project", {"name": name, "project_number": number, "city": city, "country_code": "NZ",
                                     "project_stage_id": stage["id"], "start_date": str(start - dt.timedelta(days=90))})
        out.projects[number] = project
        project_codes[index] = {code: create("project_cost_code", {
            "project_id": project["id"], "code": code, "name": name, "standard_cost_code_id": standard[code]["id"]})
            for code, name in COST_CODES}

    vendor_names = [v[0] for v in SUBCONTRACTORS]
    invoice_number = 0
    for (number, p_index, v_index, kind, title, lines), claims in zip(COMMITMENTS, CLAIMS, strict=True):
        project = out.projects[PROJECTS[p_index][1]]
        codes = project_codes[p_index]
        vendor = out.vendors[vendor_names[v_index]]
        commitment = create(kind, {
            "project_id": project["id"], "title": title, "number": number, "status": "Approved",
            "vendor_id": vendor["id"], "retainage_percent": str(RETAINAGE[kind] * 100),
            "contract_date": str(start - dt.timedelta(days=60)),
            "line_items": [{"description": f"{dict(COST_CODES)[code]}", "amount": amount,
                            "cost_code_id": codes[code]["id"], "line_item_type_id": types[ctype]["id"],
                            "tax_code_id": taxes["GST"]["id"]}
                           for code, ctype, amount in lines]})
        out.commitments[number] = commitment
        first = commitment["line_items"][0]
        extra = (Decimal(lines[0][2]) * Decimal("0.04")).quantize(Decimal("1"))
        create("commitment_change_order", {
            "project_id": project["id"], "contract_id": commitment["id"], "number": "1",
            "title": f"{title}: variation 1", "status": "approved", "due_date": str(end),
            "line_items": [{"description": "Variation: additional scope", "amount": _money(extra),
                            "cost_code_id": codes[lines[0][0]]["id"], "line_item_type_id": types[lines[0][1]]["id"],
                            "commitment_line_item_id": first["id"]}]})
        out.change_orders += 1
        for claim_no, share in enumerate(claims, start=1):
            invoice_number += 1
            items = []
            for line, (_code, _ctype, amount) in zip(commitment["line_items"], lines, strict=True):
                this_period = (Decimal(amount) * share).quantize(Decimal("0.01"))
                items.append({"item_type": "contract_item", "line_item_id": line["id"],
                              "work_completed_this_period": _money(this_period),
                              "work_completed_retainage_retained_this_period": _money(this_period * RETAINAGE[kind])})
            billing = start + dt.timedelta(days=min(27, 6 * claim_no + v_index))
            data = {"project_id": project["id"], "commitment_id": commitment["id"],
                    "invoice_number": f"{vendor['name'].split()[0].upper()}-{invoice_number:04d}",
                    "status": "approved", "billing_date": str(billing), "requisition_start": str(start),
                    "requisition_end": str(end), "payment_date": str(end + dt.timedelta(days=20)), "items": items}
            if invoice_number == 7:  # the site office forgot the billing date (INV-2)
                data.pop("billing_date")
                out.undated_invoice = data["invoice_number"]
            out.invoices.append(create("requisition", data))
            if invoice_number == 1 and hasattr(procore, "attach_file"):  # its backup, attached in Procore (ATT-1)
                out.backup_invoice = data["invoice_number"]
                for name, text in BACKUP:
                    procore.attach_file("requisition", out.invoices[-1]["id"], name, text.encode(), content_type="application/pdf")
    # One more invoice: a credit for returned framing timber, negative: it exports as a supplier credit note
    # allocated to the purchase order's open bill (CRED-1; with negative_invoices = refuse, INV-3 refuses it).
    invoice_number += 1
    po = out.commitments["PO-010"]
    out.negative_invoice = f"TOTARA-{invoice_number:04d}"
    out.invoices.append(create("requisition", {
        "project_id": out.projects["DF-310"]["id"], "commitment_id": po["id"], "invoice_number": out.negative_invoice,
        "status": "approved", "billing_date": str(end - dt.timedelta(days=2)), "requisition_start": str(start),
        "requisition_end": str(end), "payment_date": str(end + dt.timedelta(days=20)),
        "items": [{"item_type": "contract_item", "line_item_id": po["line_items"][0]["id"],
                   "work_completed_this_period": "-1850.00"}]}))
    # And a retention release (RET-1): the concrete subcontractor's first line reached practical completion,
    # so the retainage withheld on it this month is released on an invoice of its own.
    invoice_number += 1
    sc = out.commitments["SC-001"]
    held = (Decimal(COMMITMENTS[0][5][0][2]) * sum(CLAIMS[0]) * RETAINAGE["work_order_contract"]).quantize(Decimal("0.01"))
    out.release_invoice = f"KAURI-{invoice_number:04d}"
    out.released = held
    out.invoices.append(create("requisition", {
        "project_id": out.projects["HV-101"]["id"], "commitment_id": sc["id"], "invoice_number": out.release_invoice,
        "status": "approved", "billing_date": str(end - dt.timedelta(days=1)), "requisition_start": str(start),
        "requisition_end": str(end), "payment_date": str(end + dt.timedelta(days=20)),
        "items": [{"item_type": "contract_item", "line_item_id": sc["line_items"][0]["id"],
                   "work_completed_this_period": "0.00", "work_completed_retainage_released_this_period": _money(held)}]}))

    # The Australian supplier's purchase order, in AUD on NOGST lines, and this month's claim on it (BOOK-3, BOOK-7).
    name, address, city, zip_code, phone = FOREIGN_SUPPLIER
    supplier = out.vendors[name] = create("vendor", {"name": name, "address": address, "city": city, "zip": zip_code,
                                                     "country_code": "AU", "business_phone": phone})
    number, project_number, title, currency, lines, share = FOREIGN_ORDER
    project = out.projects[project_number]
    codes = project_codes[[p[1] for p in PROJECTS].index(project_number)]
    order = out.commitments[number] = create("purchase_order_contract", {
        "project_id": project["id"], "title": title, "number": number, "status": "Approved",
        "vendor_id": supplier["id"], "retainage_percent": str(RETAINAGE["purchase_order_contract"] * 100),
        "contract_date": str(start - dt.timedelta(days=30)), "currency_iso_code": currency,
        "line_items": [{"description": dict(COST_CODES)[code], "amount": amount, "cost_code_id": codes[code]["id"],
                        "line_item_type_id": types[ctype]["id"], "tax_code_id": taxes["NOGST"]["id"]}
                       for code, ctype, amount in lines]})
    invoice_number += 1
    out.foreign_invoice = f"SYDNEY-{invoice_number:04d}"
    claimed = [(Decimal(amount) * share).quantize(Decimal("0.01")) for _code, _ctype, amount in lines]
    out.invoices.append(create("requisition", {
        "project_id": project["id"], "commitment_id": order["id"], "invoice_number": out.foreign_invoice,
        "status": "approved", "billing_date": str(end - dt.timedelta(days=4)), "requisition_start": str(start),
        "requisition_end": str(end), "payment_date": str(end + dt.timedelta(days=30)),
        "items": [{"item_type": "contract_item", "line_item_id": line["id"], "work_completed_this_period": _money(amount),
                   "work_completed_retainage_retained_this_period": _money(amount * RETAINAGE["purchase_order_contract"])}
                  for line, amount in zip(order["line_items"], claimed, strict=True)]}))

    for (name, *_rest), (_pname, number, _city) in zip(OWNERS, PROJECTS, strict=False):
        project = out.projects[number]
        codes = project_codes[[p[1] for p in PROJECTS].index(number)]
        prime = create("prime_contract", {"project_id": project["id"], "title": f"{_pname} main contract",
                                          "number": f"PC-{number}", "status": "Approved",
                                          "vendor_id": out.vendors[name]["id"],
                                          "retainage_percent": str(OWNER_RETAINAGE * 100),
                                          # its schedule of values, whose lines carry their tax code (BOOK-3)
                                          "line_items": [{"description": dict(COST_CODES)[code], "amount": scheduled,
                                                          "cost_code_id": codes[code]["id"],
                                                          "line_item_type_id": types[ctype]["id"],
                                                          "tax_code_id": taxes["GST"]["id"]}
                                                         for code, ctype, scheduled, _work, _stored in OWNER_CLAIMS[number]]})
        lines = [{"description_of_work": dict(COST_CODES)[code], "cost_code_id": codes[code]["id"],
                  "line_item_type_id": types[ctype]["id"], "scheduled_value": scheduled,
                  "work_completed_this_period": work, "materials_presently_stored": stored,
                  "work_completed_retainage_retained_this_period": _money(Decimal(work) * OWNER_RETAINAGE),
                  "materials_stored_retainage_retained_this_period": _money(Decimal(stored) * OWNER_RETAINAGE)}
                 for code, ctype, scheduled, work, stored in OWNER_CLAIMS[number]]
        out.owner_invoices.append(create("payment_application", {
            "project_id": project["id"], "prime_contract_id": prime["id"], "invoice_number": f"{number}-PC-01",
            "status": "approved", "billing_date": str(end), "period_start": str(start), "period_end": str(end),
            "line_items": lines}))
    return out


def seed_xero(xero) -> dict[str, str]:
    """The builder's Xero before the connector: the standard chart and a few contacts of its own."""
    books = xero.books()
    return {name: books.write_contact({"Name": name})["ContactID"] for name in XERO_CONTACTS}
