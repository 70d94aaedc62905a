"""Namecheap emulator: the account and catalogue commands (``NamecheapAccountCommands``).

``namecheap.users.getPricing``, ``namecheap.domains.getTldList``, ``namecheap.domains.getContacts``
and ``namecheap.domains.renew``, mixed into ``NamecheapEmulator`` (``namecheap.py``).  Shapes from
Namecheap's API documentation pages (tests/contracts/namecheap/NOTES.md) and what namecheap-python
4.0 reads; rules the documents leave open are the sandbox's:

* Prices: the emulator's ``TLD_PRICES`` for every action and duration (``years x price``); no
  promotions, so ``Price``, ``RegularPrice`` and ``YourPrice`` are equal.
* Contacts: a registered domain keeps the four contact roles it was created with; the seeded
  domains carry the sandbox contact ``SEED_CONTACT``.
* Renewal: ``Years`` 1..10 (the total registration is not capped); charged from the balance like a
  registration; the expiry date moves on by the years.
"""

import xml.etree.ElementTree as ET
from decimal import Decimal

PRODUCT_TYPES = ("DOMAIN", "SSLCERTIFICATE", "WHOISGUARD")
DOMAIN_ACTIONS = ("REGISTER", "RENEW", "REACTIVATE", "TRANSFER")
PRICED_YEARS = (1, 2, 3, 5, 10)
CONTACT_FIELDS = ("OrganizationName", "JobTitle", "FirstName", "LastName", "Address1", "Address2", "City",
                  "StateProvince", "StateProvinceChoice", "PostalCode", "Country", "Phone", "Fax", "EmailAddress",
                  "PhoneExt")
SEED_CONTACT = {"FirstName": "Sandbox", "LastName": "Owner", "Address1": "1 Sandbox Street", "City": "Loopback",
                "StateProvince": "CA", "PostalCode": "94000", "Country": "US", "Phone": "+1.5555550100",
                "EmailAddress": "owner@fabrik-sandbox.com"}
ERR_RENEW_YEARS = 2015167


class NamecheapAccountCommands:
    """Handlers of the account and catalogue commands; ``self`` is the ``NamecheapEmulator``."""

    ACCOUNT_COMMANDS = {
        "namecheap.users.getpricing": ("namecheap.users.getPricing", "_users_get_pricing", False),
        "namecheap.domains.gettldlist": ("namecheap.domains.getTldList", "_domains_get_tld_list", False),
        "namecheap.domains.getcontacts": ("namecheap.domains.getContacts", "_domains_get_contacts", False),
        "namecheap.domains.renew": ("namecheap.domains.renew", "_domains_renew", True),
    }

    def _users_get_pricing(self, params):
        errors = self.ERRORS_MODULE
        product_type = errors.require(params, "ProductType").upper()
        if product_type not in PRODUCT_TYPES:
            raise errors.NamecheapError(errors.ERR_BAD_PARAMETER, f"Parameter ProductType is invalid: {product_type}")
        action = (params.get("actionname") or params.get("productcategory") or "").strip().upper()
        if action and action not in DOMAIN_ACTIONS:
            raise errors.NamecheapError(errors.ERR_BAD_PARAMETER, f"Parameter ActionName is invalid: {action}")
        wanted = (params.get("productname") or "").strip().lower()
        result = ET.Element("UserGetPricingResult")
        product_element = ET.SubElement(result, "ProductType", {"Name": product_type.lower()})
        if product_type != "DOMAIN":
            return [result]
        for action_name in [action] if action else DOMAIN_ACTIONS:
            category = ET.SubElement(product_element, "ProductCategory", {"Name": action_name.lower()})
            for tld, price in errors.TLD_PRICES.items():
                if wanted and tld != wanted:
                    continue
                product = ET.SubElement(category, "Product", {"Name": tld})
                for years in PRICED_YEARS if action_name in ("REGISTER", "RENEW") else (1,):
                    total = errors.money(price * years)
                    ET.SubElement(product, "Price", {
                        "Duration": str(years), "DurationType": "YEAR", "Price": total, "PricingType": "MULTIPLE",
                        "AdditionalCost": "0.18", "RegularPrice": total, "RegularPriceType": "MULTIPLE",
                        "RegularAdditionalCost": "0.18", "RegularAdditionalCostType": "MULTIPLE",
                        "YourPrice": total, "YourPriceType": "MULTIPLE", "YourAdditonalCost": "0.18",
                        "YourAdditonalCostType": "MULTIPLE", "PromotionPrice": "0.0", "Currency": errors.CURRENCY,
                    })
        return [result]

    def _domains_get_tld_list(self, _params):
        errors = self.ERRORS_MODULE
        tlds = ET.Element("Tlds")
        for sequence, tld in enumerate(sorted(errors.TLD_PRICES), start=1):
            element = ET.SubElement(tlds, "Tld", {
                "Name": tld, "NonRealTime": "false", "MinRegisterYears": "1", "MaxRegisterYears": "10",
                "MinRenewYears": "1", "MaxRenewYears": "10", "RenewalMinDays": "0", "RenewalMaxDays": "4000",
                "ReactivateMaxDays": "27", "MinTransferYears": "1", "MaxTransferYears": "1",
                "IsApiRegisterable": "true", "IsApiRenewable": "true", "IsApiTransferable": "true",
                "IsEppRequired": "false", "IsDisableModContact": "false", "IsDisableWGAllot": "false",
                "IsIncludeInExtendedSearchOnly": "false", "SequenceNumber": str(sequence),
                "Type": "CCTLD" if "." in tld or len(tld) == 2 else "GTLD", "SubType": "",
                "IsSupportsIDN": "false", "Category": "A", "SupportsRegistrarLock": "true",
                "AddGracePeriodDays": "5", "WhoisVerification": "false", "ProviderApiDelete": "true",
                "TldState": "", "SearchGroup": "", "Registry": "",
            })
            element.text = f".{tld} (sandbox)"
            ET.SubElement(element, "Categories")
        return [tlds]

    def _domains_get_contacts(self, params):
        errors = self.ERRORS_MODULE
        domain = self._owned_domain(errors.require(params, "DomainName").lower(), not_owned_number=4011103)
        result = ET.Element("DomainContactsResult", {"Domain": domain.name, "domainnameid": str(domain.domain_id)})
        for role, _missing in errors.CONTACT_ROLES:
            contact = (domain.contacts or {}).get(role) or SEED_CONTACT
            element = ET.SubElement(result, role, {"ReadOnly": "false"})
            for field in CONTACT_FIELDS:
                ET.SubElement(element, field).text = contact.get(field) or None
        guard = ET.SubElement(result, "WhoisGuardContact")
        for role, _missing in errors.CONTACT_ROLES:
            ET.SubElement(guard, role, {"ReadOnly": "true"})
        ET.SubElement(result, "CurrentAttributes")
        ET.SubElement(result, "RegistrantNexus")
        return [result]

    def _domains_renew(self, params):
        errors = self.ERRORS_MODULE
        domain = self._owned_domain(errors.require(params, "DomainName").lower(), not_owned_number=2016166)
        years = errors.int_param(params, "Years", 1, 1, 10, number=ERR_RENEW_YEARS)
        charge = errors.TLD_PRICES[errors.split_domain(domain.name)[1]] * years
        if charge > self.balance:
            raise errors.NamecheapError(
                2528166, f"Order creation failed: insufficient funds, the renewal costs {errors.money(charge)} "
                f"{errors.CURRENCY} and the available balance is {errors.money(self.balance)} {errors.CURRENCY}")
        self.balance -= Decimal(charge)
        domain.expires = errors.add_years(domain.expires, years)
        result = ET.Element("DomainRenewResult", {
            "DomainName": domain.name, "DomainID": str(domain.domain_id), "Renew": "true",
            "OrderID": str(self._new_id()), "TransactionID": str(self._new_id()),
            "ChargedAmount": errors.money(charge)})
        details = ET.SubElement(result, "DomainDetails")
        ET.SubElement(details, "ExpiredDate").text = domain.expires.strftime("%m/%d/%Y")
        ET.SubElement(details, "NumYears").text = "0"
        return [result]
