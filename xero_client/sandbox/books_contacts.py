"""Contacts, contact groups and items of a sandbox organisation, with Xero's rules (api/xero.md §7)."""

from __future__ import annotations

import copy

from .ledger import TAX_RATES, new_id
from .rules import ElementError, amount, check_fields, max_length


class ContactBooks:
    """Writes of contacts, contact groups and items."""

    # ------------------------------------------------------------------ contacts (§7 Contacts)
    def write_contact(self, element: dict) -> dict:
        self._check("Contact", element, creating=False)
        existing = self._existing(self.contacts, element, "ContactID", "Contact")
        if existing is None and not (element.get("Name") or "").strip():
            raise ElementError("The contact name must be specified")
        return self._store_contact(element, existing)

    def _store_contact(self, element: dict, existing: dict | None) -> dict:
        name = element.get("Name", existing["Name"] if existing else None)
        max_length(name, 255, "Contact Name")
        max_length(element.get("ContactNumber"), 50, "ContactNumber")
        max_length(element.get("AccountNumber"), 50, "AccountNumber")
        status = element.get("ContactStatus") or (existing["ContactStatus"] if existing else "ACTIVE")
        if status == "ACTIVE" and self._active_contact_named(name, other_than=existing and existing["ContactID"]):
            # §7 Contacts: "The contact name must be unique across all active contacts"
            raise ElementError(f"The contact name {name} is already assigned to another contact. The contact name "
                               "must be unique across all active contacts.")
        if element.get("EmailAddress") and "@" not in element["EmailAddress"]:
            raise ElementError("Email address must be valid.")
        contact = existing if existing is not None else {
            "ContactID": new_id(), "ContactStatus": "ACTIVE", "IsSupplier": False, "IsCustomer": False,
            "HasAttachments": False, "Addresses": [], "Phones": [], "ContactGroups": []}
        read_only = {"ContactID", "IsSupplier", "IsCustomer", "UpdatedDateUTC", "HasAttachments", "HasValidationErrors",
                     "ValidationErrors", "StatusAttributeString", "Balances", "ContactGroups", "MergedToContactID"}
        for key, value in element.items():
            if key not in read_only:  # §7: IsSupplier/IsCustomer are read-only
                contact[key] = value.strip() if key == "Name" else copy.deepcopy(value)
        contact["ContactStatus"] = status
        self.touch(contact)
        self.contacts[contact["ContactID"]] = contact
        self.events.append(("CONTACT", "UPDATE" if existing else "CREATE", contact["ContactID"], None))
        return contact

    def mark_contact_role(self, contact: dict, doc_type: str) -> None:
        key = "IsSupplier" if doc_type.startswith("ACCPAY") or doc_type == "PO" else "IsCustomer"
        if not contact.get(key):
            contact[key] = True

    # ------------------------------------------------------------------ contact groups (§7 ContactGroups)
    def write_contact_group(self, element: dict) -> dict:
        self._check("ContactGroup", element, creating=False)
        existing = self._existing(self.groups, element, "ContactGroupID", "ContactGroup")
        name = element.get("Name", existing and existing["Name"])
        if not name or not str(name).strip():
            raise ElementError("The contact group name must be specified")
        max_length(name, 50, "ContactGroup Name")
        for group in self.groups.values():
            if (group["Status"] == "ACTIVE" and group is not existing
                    and group["Name"].casefold() == str(name).strip().casefold()):
                raise ElementError(f"The contact group name {name} is already in use")
        group = existing or {"ContactGroupID": new_id(), "Status": "ACTIVE", "ContactIDs": []}
        group["Name"] = str(name).strip()
        if element.get("Status"):
            group["Status"] = element["Status"]
        self.groups[group["ContactGroupID"]] = group
        return group

    def add_to_group(self, group: dict, contacts: list[dict]) -> list[dict]:
        added = []
        for index, ref in enumerate(contacts, start=1):
            problems = check_fields("Contact", ref, f"Contacts[{index}]")
            if problems:
                raise ElementError(*problems)
            contact = self.contacts.get(str(ref.get("ContactID") or "").lower())
            if contact is None:
                raise ElementError(f"Contact {ref.get('ContactID')} could not be found")
            if contact["ContactID"] not in group["ContactIDs"]:
                group["ContactIDs"].append(contact["ContactID"])
            added.append(contact)
        return added

    # ------------------------------------------------------------------ items (§7 Items)
    def write_item(self, element: dict, *, method: str) -> dict:
        self._check("Item", element, creating=False)
        existing = self._existing(self.items, element, "ItemID", "Item")
        code = element.get("Code", existing and existing["Code"])
        if not code or not str(code).strip():
            raise ElementError("Item.Code is required")
        max_length(code, 30, "Item Code")  # §7 Items: Code maxLength 30 (WBS-1)
        max_length(element.get("Name"), 50, "Item Name")  # §7 Items: Name maxLength 50
        max_length(element.get("Description"), 4000, "Item Description")
        max_length(element.get("PurchaseDescription"), 4000, "Item PurchaseDescription")
        same_code = self.item_by_code(str(code))
        if existing is None and same_code is not None:
            if method == "PUT":
                raise ElementError(f"Item code '{code}' already exists")
            existing = same_code  # POST /Items upserts by Code
        elif existing is not None and same_code is not None and same_code is not existing:
            raise ElementError(f"Item code '{code}' already exists")
        for key in ("PurchaseDetails", "SalesDetails"):
            details = element.get(key) or {}
            if details.get("AccountCode") and self.account_by_code(details["AccountCode"]) is None:
                raise ElementError(f"{key}: Account code '{details['AccountCode']}' is not valid")
            if details.get("TaxType") and details["TaxType"] not in TAX_RATES:
                raise ElementError(f"{key}: TaxType '{details['TaxType']}' is not valid")
            if details.get("UnitPrice") is not None:
                amount(details["UnitPrice"], f"{key}.UnitPrice", places=4)
        if element.get("IsTrackedAsInventory") and not element.get("InventoryAssetAccountCode"):
            raise ElementError("InventoryAssetAccountCode is required for a tracked inventory item")
        item = existing or {"ItemID": new_id(), "IsSold": True, "IsPurchased": True, "IsTrackedAsInventory": False}
        read_only = {"ItemID", "UpdatedDateUTC", "StatusAttributeString", "ValidationErrors", "TotalCostPool",
                     "QuantityOnHand"}
        for key, value in element.items():
            if key not in read_only:
                item[key] = copy.deepcopy(value)
        item["Code"] = str(code).strip()
        # §7 Items: "Setting either to false nulls the matching details"
        if item.get("IsSold") is False:
            item.pop("SalesDetails", None)
        if item.get("IsPurchased") is False:
            item.pop("PurchaseDetails", None)
        self.touch(item)
        self.items[item["ItemID"]] = item
        return item
