"""A labelled PII set: realistic business text (e-mails, tickets, invoices, HR notes, meeting minutes, CRM
notes, incident reports) with every personal datum marked by character offsets, built deterministically
from seeded Faker in several locales. Not a test; ``python bench/pii_data.py`` prints a summary.

Each document also carries distractors that are NOT PII and must not be masked: order and invoice numbers,
dates and ISO timestamps, version strings, product codes, prices, hex hashes, tracking numbers and
16-digit references that fail the Luhn check.

Choices that shape the figures:
- Phone numbers are Faker's, kept only when ``phonenumbers`` says they are valid for their country
  (Faker invents area codes that no real line has) and without Faker's "x1234" extensions.
- Names are first and last name only (titles like "Dr." stay outside the span); a bare first name in a
  greeting ("Dear Claire,") is a PERSON span too.
- Split by a fixed rule: CRC-32 of the document id even -> ``dev`` (tune on these), odd -> ``test``
  (report these).
"""

from __future__ import annotations

import random
import zlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import phonenumbers
from faker import Faker

SEED = 1515
N_DOCS = 360
LOCALES = ("en_US", "en_GB", "de_DE", "fr_FR", "nl_NL", "es_ES", "it_IT", "pl_PL")
COMPANIES = (
    "Halvard Freight",
    "Northwind Logistics",
    "Bluefin Analytics",
    "Kestrel Components",
    "Orchard Lane Foods",
    "Tessellate Software",
    "Ironbridge Insurance",
    "Lumen Grid Energy",
    "Copperleaf Pharma",
    "Riverside Print Works",
)
DOMAINS = (
    "example.com",
    "example.org",
    "mail.example",
    "corp.internal",
    "acme.test",
    "halvard-freight.example",
    "bluefin.co.uk",
    "kestrel-components.de",
    "lumengrid.fr",
    "gmail.com",
    "outlook.com",
    "tessellate.io",
)
PRODUCTS = ("Kestrel Hub", "FleetView", "Ledger Pro", "DataPipe", "Orchard POS", "Copperleaf LIMS")
# Names from many traditions (Irish, Turkish, Czech, Kenyan, Chinese, Yoruba, Swahili, Finnish, ...) for the
# genres below; Chinese names are written in CJK script, family name first, no space.
WORLD_LOCALES = (
    "ga_IE", "tr_TR", "cs_CZ", "en_KE", "zh_CN", "yo_NG", "sw", "fi_FI", "sv_SE", "pt_BR", "en_IN",
    "nl_NL", "de_AT", "fr_FR", "es_ES", "pl_PL", "hu_HU", "vi_VN",
)  # fmt: skip
# Regions for phone numbers written the many ways people write them (with and without country code).
PHONE_WORLD = (
    "US", "GB", "NG", "NL", "IE", "SG", "DE", "EG", "SE", "BR", "FI", "IN", "AT", "CH", "KE", "FR",
    "TR", "CZ", "ZA", "AU", "ES", "IT", "PL",
)  # fmt: skip
# Company suffixes and words: a capitalised word before them is a company, not a person.
ORG_TAILS = ("Robotics", "Tech", "A.Ş.", "GmbH", "S.r.l.", "Sp. z o.o.", "s.r.o.", "Oy", "AB", "B.V.", "Ltd")
# Product and brand names built from person-like words; not PII.
PRODUCT_HEADS = ("Victor", "Grace", "Hugo", "Marco", "Stella", "Felix", "Oscar", "Luna", "Ada", "Jasper")
PRODUCT_TAILS = ("Pro", "Max", "Studio", "Cloud", "Edge", "Air", "Plus", "Mini", "Ultra", "One")


@dataclass(frozen=True)
class Span:
    kind: str
    start: int
    end: int
    text: str


@dataclass
class Doc:
    id: str
    genre: str
    locale: str
    split: str
    text: str = ""
    spans: list[Span] = field(default_factory=list)

    def add(self, text: str) -> Doc:
        self.text += text
        return self

    def pii(self, kind: str, text: str) -> Doc:
        start = len(self.text)
        self.text += text
        self.spans.append(Span(kind, start, start + len(text), text))
        return self


class Gen:
    """Seeded values in one locale: the PII and the distractors around it."""

    def __init__(self, locale: str, rng: random.Random) -> None:
        self.locale = locale
        self.rng = rng
        self.f = Faker(locale)
        self.f.seed_instance(rng.randrange(2**31))
        self.us = Faker("en_US")
        self.us.seed_instance(rng.randrange(2**31))

    # ---- PII --------------------------------------------------------------------------------------------

    def person(self) -> tuple[str, str]:
        return self.f.first_name(), self.f.last_name()

    def email(self, first: str, last: str) -> str:
        local = _ascii(self.rng.choice([f"{first}.{last}", f"{first[0]}{last}", f"{first}_{last}", first]))
        return f"{local.lower()}@{self.rng.choice(DOMAINS)}"

    def phone(self) -> str:
        region = self.locale.split("_")[1]
        for _ in range(50):
            raw = self.f.phone_number().split("x")[0].strip()
            try:
                number = phonenumbers.parse(raw, region)
            except phonenumbers.NumberParseException:
                continue
            if phonenumbers.is_valid_number(number):
                if self.rng.random() < 0.4:  # some written in international form, as in signatures
                    fmt = phonenumbers.PhoneNumberFormat.INTERNATIONAL
                    return phonenumbers.format_number(number, fmt)
                return raw
        raise RuntimeError(f"no valid phone number from Faker for {self.locale}")

    def card(self) -> str:
        kind = self.rng.choice(["visa16", "mastercard", "amex", "discover", "visa16"])
        digits = self.us.credit_card_number(kind)
        style = self.rng.random()
        if style < 0.5 and len(digits) == 16:
            return " ".join(digits[i : i + 4] for i in range(0, 16, 4))
        if style < 0.7 and len(digits) == 16:
            return "-".join(digits[i : i + 4] for i in range(0, 16, 4))
        if len(digits) == 15 and style < 0.6:
            return f"{digits[:4]} {digits[4:10]} {digits[10:]}"
        return digits

    def iban(self) -> str:
        try:
            value = self.f.iban()
        except AttributeError:
            value = self.us.iban()
        if self.rng.random() < 0.5:  # print form, groups of four
            return " ".join(value[i : i + 4] for i in range(0, len(value), 4))
        return value

    def ip(self) -> str:
        r = self.rng.random()
        if r < 0.45:
            return self.f.ipv4_public()
        if r < 0.85:
            return self.f.ipv4_private()
        return self.f.ipv6()

    def ssn(self) -> str:
        return self.us.ssn()

    def nhs(self) -> str:
        while True:
            digits = [self.rng.randrange(10) for _ in range(9)]
            check = 11 - sum(d * (10 - i) for i, d in enumerate(digits)) % 11
            if check == 11:
                check = 0
            if check != 10:
                s = "".join(map(str, digits + [check]))
                return f"{s[:3]} {s[3:6]} {s[6:]}"

    # ---- distractors -------------------------------------------------------------------------------------

    def order(self) -> str:
        r = self.rng
        return r.choice(
            [
                f"PO-{r.randint(2021, 2026)}-{r.randint(1, 99999):05d}",
                f"SO {r.randint(10_000_000, 99_999_999)}",
                f"ORD-{r.randint(100000, 999999)}",
            ]
        )

    def invoice_no(self) -> str:
        return f"INV-{self.rng.randint(2021, 2026)}-{self.rng.randint(1, 9999):04d}"

    def date(self) -> str:
        d = self.f.date_between("-3y", "+1y")
        return self.rng.choice(
            [d.isoformat(), d.strftime("%d.%m.%Y"), d.strftime("%B %d, %Y"), d.strftime("%d/%m/%Y")]
        )

    def timestamp(self) -> str:
        return self.f.date_time_between("-1y", "now").strftime("%Y-%m-%dT%H:%M:%SZ")

    def version(self) -> str:
        r = self.rng
        return r.choice(
            [
                f"v{r.randint(1, 12)}.{r.randint(0, 30)}.{r.randint(0, 40)}",
                f"{r.randint(1, 9)}.{r.randint(0, 9)}.{r.randint(0, 99)}",
                f"10.0.{r.randint(17000, 22999)}.{r.randint(1000, 4999)}",
            ]
        )

    def sku(self) -> str:
        r = self.rng
        letters = "".join(r.choice("ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(3))
        return f"{letters}-{r.randint(1000, 9999)}-{r.choice('ABCDKX')}"

    def price(self) -> str:
        amount = self.rng.randint(5, 250_000) + self.rng.randint(0, 99) / 100
        cur = self.rng.choice(["€", "$", "£", "EUR ", "USD "])
        return f"{cur}{amount:,.2f}"

    def hexhash(self) -> str:
        return self.f.sha1()[: self.rng.choice([7, 12, 40])]

    def tracking(self) -> str:
        r = self.rng
        return f"1Z{r.randint(100, 999)}AA1{r.randint(10**9, 10**10 - 1)}"

    def reference16(self) -> str:
        """16 digits in card grouping that fail the Luhn check: a bank reference, not a card."""
        while True:
            digits = "".join(str(self.rng.randrange(10)) for _ in range(16))
            if not _luhn(digits):
                return " ".join(digits[i : i + 4] for i in range(0, 16, 4))

    def company(self) -> str:
        return self.rng.choice(COMPANIES)

    def world_person(self) -> tuple[str, str, str]:
        """(first, last, full) from a random naming tradition; CJK names run family-first, unspaced."""
        locale = self.rng.choice(WORLD_LOCALES)
        f = Faker(locale)
        f.seed_instance(self.rng.randrange(2**31))
        first, last = f.first_name(), f.last_name()
        if locale == "zh_CN":
            return first, last, f"{last}{first}"
        return first, last, f"{first} {last}"

    def world_phone(self, national: bool | None = None) -> str:
        """A valid number of a random region, written in international or national form with the
        groupings people use (spaces, dashes, dots, parentheses, "(0)")."""
        region = self.rng.choice(PHONE_WORLD)
        kind = self.rng.choice([phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE])
        example = phonenumbers.example_number_for_type(region, kind) or phonenumbers.example_number(region)
        assert example is not None
        for _ in range(200):
            digits = str(example.national_number)
            keep = max(2, len(digits) - 5)
            candidate = digits[:keep] + "".join(str(self.rng.randrange(10)) for _ in digits[keep:])
            number = phonenumbers.parse("+" + str(example.country_code) + candidate, None)
            if phonenumbers.is_valid_number(number):
                break
        else:
            number = example
        if national is None:
            national = self.rng.random() < 0.4
        fmt = phonenumbers.PhoneNumberFormat
        text = phonenumbers.format_number(number, fmt.NATIONAL if national else fmt.INTERNATIONAL)
        r = self.rng.random()
        if not national and r < 0.2:
            text = text.replace(" ", "-", 1) if r < 0.1 else text.replace(" ", ".")
        elif not national and r < 0.3:
            cc, _, rest = text.partition(" ")
            text = f"{cc} {rest.replace(' ', '')}"
        return text

    def fictional_phone(self) -> str:
        """Numbers in the ranges reserved for fiction (US 555-01xx, UK 020 7946 0xxx, 07700 900xxx):
        well formed, so a redactor must still mask them."""
        r = self.rng
        return r.choice(
            [
                f"({r.randint(201, 989)}) 555-01{r.randint(0, 99):02d}",
                f"{r.randint(201, 989)}-555-01{r.randint(0, 99):02d}",
                f"+1 {r.randint(201, 989)} 555 01{r.randint(0, 99):02d}",
                f"020 7946 0{r.randint(0, 999):03d}",
                f"+44 20 7946 0{r.randint(0, 999):03d}",
                f"07700 900{r.randint(0, 999):03d}",
                f"+44 7700 900{r.randint(0, 999):03d}",
            ]
        )

    def org(self) -> str:
        return f"{self.f.last_name()} {self.rng.choice(ORG_TAILS)}"

    def brand(self) -> str:
        return f"{self.rng.choice(PRODUCT_HEADS)} {self.rng.choice(PRODUCT_TAILS)}"

    def address(self) -> str:
        r = self.rng
        return r.choice(
            [
                f"Via Roma {r.randint(1, 200)}, {r.randint(10, 99)}1{r.randint(10, 99)} Milano",
                f"ul. Marszałkowska {r.randint(1, 150)}, 00-{r.randint(100, 999)} Warszawa",
                f"{r.randint(1, 9999)} Oak Street, Springfield IL {r.randint(60000, 62999)}",
                f"{r.randint(100, 999)} Main St, Austin TX {r.randint(73301, 78799)}",
                f"Hauptstraße {r.randint(1, 99)}, {r.randint(10115, 14199)} Berlin",
                f"{r.randint(1, 99)} rue de Rivoli, 750{r.randint(1, 20):02d} Paris",
                f"Calle Mayor {r.randint(1, 99)}, 280{r.randint(10, 99)} Madrid",
            ]
        )

    def release(self) -> str:
        r = self.rng
        return r.choice(
            [
                f"version {r.randint(1, 12)}.{r.randint(0, 9)}.{r.randint(0, 9)}.{r.randint(0, 99)}",
                f"v{r.randint(1, 12)}.{r.randint(0, 9)}.{r.randint(0, 9)}.{r.randint(0, 99)}",
                f"release {r.randint(1, 20)}.{r.randint(0, 9)}.{r.randint(0, 9)}.{r.randint(1, 9)}",
                f"build {r.randint(1, 12)}.{r.randint(0, 9)}.{r.randint(0, 255)}.{r.randint(0, 255)}",
                f"firmware {r.randint(1, 9)}.{r.randint(0, 9)}.{r.randint(0, 9)}.{r.randint(0, 200)}",
            ]
        )

    def product(self) -> str:
        return self.rng.choice(PRODUCTS)


def _luhn(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _ascii(s: str) -> str:
    import unicodedata

    out = unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode()
    return "".join(c for c in out if c.isalnum() or c in "._")


# ---- genres --------------------------------------------------------------------------------------------


def _email(d: Doc, g: Gen) -> None:
    f1, l1 = g.person()
    f2, l2 = g.person()
    d.add("From: ").pii("PERSON", f"{f1} {l1}").add(" <").pii("EMAIL_ADDRESS", g.email(f1, l1)).add(">\n")
    d.add("To: ").pii("PERSON", f"{f2} {l2}").add(" <").pii("EMAIL_ADDRESS", g.email(f2, l2)).add(">\n")
    inv = g.invoice_no()
    d.add(f"Subject: Invoice {inv} overdue\n\nDear ").pii("PERSON", f2).add(",\n\n")
    d.add(f"our records show invoice {inv} dated {g.date()} for {g.price()} (order {g.order()}) is still ")
    d.add("open. Please transfer the amount to IBAN ").pii("IBAN_CODE", g.iban()).add(" quoting the invoice ")
    d.add(f"number, or pay by card. Tracking for the shipment is {g.tracking()}.\n\n")
    d.add("If anything is unclear, call me on ").pii("PHONE_NUMBER", g.phone()).add(".\n\nKind regards,\n")
    d.pii("PERSON", f"{f1} {l1}").add(f"\nAccounts Receivable, {g.company()}\nTel. ").pii(
        "PHONE_NUMBER", g.phone()
    )
    d.add("\n")


def _ticket(d: Doc, g: Gen) -> None:
    f1, l1 = g.person()
    f2, l2 = g.person()
    d.add(
        f"Ticket #{g.rng.randint(10000, 99999)} | Priority: P{g.rng.randint(1, 4)} | Product: {g.product()} "
    )
    d.add(f"{g.version()} ({g.sku()})\nOpened: {g.timestamp()}\nReporter: ").pii("PERSON", f"{f1} {l1}")
    d.add(" (").pii("EMAIL_ADDRESS", g.email(f1, l1)).add(")\n\n")
    d.add("Customer reports being charged twice for order ")
    d.add(f"{g.order()}: once on card ").pii("CREDIT_CARD", g.card()).add(f" and again for {g.price()}. ")
    d.add(f"Their bank reference is {g.reference16()}. Requests came from ").pii("IP_ADDRESS", g.ip())
    d.add(f"; build {g.hexhash()} was live at the time.\n\nAssigned to ").pii("PERSON", f"{f2} {l2}")
    d.add(". Callback number: ").pii("PHONE_NUMBER", g.phone()).add(".\n")


def _invoice(d: Doc, g: Gen) -> None:
    f1, l1 = g.person()
    d.add(f"INVOICE {g.invoice_no()}\nDate: {g.date()}    Due: {g.date()}\n{g.company()}\n\n")
    d.add("Bill to: ").pii("PERSON", f"{f1} {l1}").add(f", {g.f.city()}\nContact: ")
    d.add("").pii("EMAIL_ADDRESS", g.email(f1, l1)).add(" / ").pii("PHONE_NUMBER", g.phone()).add("\n\n")
    for _ in range(g.rng.randint(2, 4)):
        d.add(f"{g.sku()}  {g.product()} licence {g.version()}  qty {g.rng.randint(1, 40)}  {g.price()}\n")
    d.add(f"\nTotal: {g.price()} (VAT incl.)  Your order: {g.order()}\n")
    d.add("Pay to IBAN ").pii("IBAN_CODE", g.iban()).add(" or card on file ").pii("CREDIT_CARD", g.card())
    d.add(f".\nPayment reference: {g.reference16()}\n")


def _hr(d: Doc, g: Gen) -> None:
    f1, l1 = g.person()
    f2, l2 = g.person()
    f3, l3 = g.person()
    d.add(f"HR note, {g.date()} (confidential)\n\nEmployee: ").pii("PERSON", f"{f1} {l1}")
    d.add(f", employee no. E{g.rng.randint(10000, 99999)}, joined {g.date()}.\n")
    if g.rng.random() < 0.5:
        d.add("SSN on file: ").pii("US_SSN", g.ssn()).add(". ")
    else:
        d.add("NHS number: ").pii("UK_NHS", g.nhs()).add(". ")
    d.add("Salary is paid to ").pii("IBAN_CODE", g.iban()).add(".\nLine manager ").pii("PERSON", f"{f2} {l2}")
    d.add(" confirmed the move to the platform team from ").add(g.date()).add(". ")
    d.add("Emergency contact: ").pii("PERSON", f"{f3} {l3}").add(", ").pii("PHONE_NUMBER", g.phone())
    d.add(f".\nLaptop asset tag {g.sku()}, VPN address ").pii("IP_ADDRESS", g.ip()).add(".\n")


def _minutes(d: Doc, g: Gen) -> None:
    people = [g.person() for _ in range(4)]
    names = [f"{a} {b}" for a, b in people]
    d.add(f"Minutes: {g.product()} release review, {g.date()}\n\nAttendees: ")
    for i, n in enumerate(names[:3]):
        d.pii("PERSON", n).add(", " if i < 2 else "\n")
    d.add("Apologies: ").pii("PERSON", names[3]).add("\n\n")
    d.add("1. ").pii("PERSON", people[0][0]).add(f" presented release {g.version()} (commit {g.hexhash()}); ")
    d.add(f"budget {g.price()} approved.\n2. ").pii("PERSON", people[1][0])
    d.add(f" will check order {g.order()} with the supplier.\n")
    d.add("3. Customer escalation: ").pii("PERSON", names[1]).add(" to reply to ")
    d.pii("EMAIL_ADDRESS", g.email(*g.person())).add(" by ").add(g.date()).add(".\n")
    d.add("Actions: ").pii("PERSON", people[2][0]).add(" to book the room for ").add(g.date()).add(".\n")


def _crm(d: Doc, g: Gen) -> None:
    f1, l1 = g.person()
    f2, l2 = g.person()
    d.add(f"CRM note {g.timestamp()}\n\nSpoke with ").pii("PERSON", f"{f1} {l1}")
    d.add(f" of {g.company()} on the phone (").pii("PHONE_NUMBER", g.phone()).add("). They want to upgrade ")
    d.add(f"{g.product()} to {g.version()} and move {g.rng.randint(20, 400)} seats; quote {g.price()}. ")
    d.add("Send the proposal to ").pii("EMAIL_ADDRESS", g.email(f1, l1)).add(f" before {g.date()}. ")
    d.add("Account owner: ").pii("PERSON", f"{f2} {l2}").add(".\n")


def _incident(d: Doc, g: Gen) -> None:
    f1, l1 = g.person()
    d.add(f"Incident INC-{g.rng.randint(100000, 999999)} ({g.timestamp()})\n\n")
    d.add(f"Between {g.timestamp()} and {g.timestamp()} the login service ({g.product()} {g.version()}) saw ")
    d.add(f"{g.rng.randint(200, 9000)} failed sign-ins for ").pii("EMAIL_ADDRESS", g.email(f1, l1))
    d.add(" from ").pii("IP_ADDRESS", g.ip()).add(" and ").pii("IP_ADDRESS", g.ip())
    d.add(f". Image digest sha256:{g.f.sha256()[:16]}, config rev {g.hexhash()}.\nOn call: ")
    d.pii("PERSON", f"{f1} {l1}").add(", reachable at ").pii("PHONE_NUMBER", g.phone()).add(".\n")


def _chat(d: Doc, g: Gen) -> None:
    """A chat log: lowercase handles and names, a first name alone after the full one, phones in national
    form next to a cue."""
    a, b = g.world_person(), g.world_person()
    a_first, b_first = a[0].lower(), b[0].lower()
    t = g.rng.randint(8, 17)
    d.add(f"[{t:02d}:{g.rng.randint(10, 59)}] ").pii("PERSON", a_first).add(": hi, this is ")
    d.pii("PERSON", a[2].lower()).add(f" from {g.company().lower()}, about order {g.order()}\n")
    d.add(f"[{t:02d}:{g.rng.randint(10, 59)}] ").pii("PERSON", b_first).add(": hey ").pii("PERSON", a_first)
    d.add(f"! the tracking says {g.tracking()}, sha {g.hexhash()}\n")
    d.add(f"[{t:02d}:{g.rng.randint(10, 59)}] ").pii("PERSON", a_first).add(
        ": can you call me? my number is "
    )
    d.pii("PHONE_NUMBER", g.world_phone(national=True)).add("\n")
    d.add(f"[{t + 1:02d}:{g.rng.randint(10, 59)}] ").pii("PERSON", b_first)
    d.add(": sure. i'm ").pii("PERSON", b[2]).add(" btw, ask for ").pii("PERSON", b[0])
    d.add(" if i'm out, or ring the desk on ").pii("PHONE_NUMBER", g.fictional_phone()).add("\n")


def _signature(d: Doc, g: Gen) -> None:
    """A multilingual business e-mail with a signature block: names with diacritics and from many
    traditions, label words in other languages, company names, an address, international numbers."""
    first, last, full = g.world_person()
    f2, _, full2 = g.world_person()
    labels = g.rng.choice(
        [
            ("Tel.", "Mobil", "Betreff", "Gültig bis", "Mit freundlichen Grüßen,"),
            ("Tél.", "Portable", "Référence", "Valable jusqu'au", "Cordialement,"),
            ("Tel.", "Móvil", "Contacto", "Válido hasta", "Saludos,"),
            ("Tel", "Mobiel", "Referentie", "Geldig tot", "Met vriendelijke groet,"),
            ("Phone", "Mobile", "Reference", "Valid until", "Best regards,"),
        ]
    )
    tel, mob, ref, valid, closing = labels
    d.add("Dear ").pii("PERSON", full2).add(",\n\n")
    d.add(f"{ref}: {g.invoice_no()} / {g.brand()} {g.version()}. {valid} {g.date()}. ")
    d.add(f"Amount {g.price()}, supplier {g.org()}, shipped to {g.address()}.\n")
    d.add("Please confirm with ").pii("PERSON", f2).add(f" before {g.date()}.\n\n{closing}\n")
    d.pii("PERSON", full).add(f"\n{g.org()}\n{g.address()}\n{tel}: ").pii("PHONE_NUMBER", g.world_phone())
    d.add(f"\n{mob}: ").pii("PHONE_NUMBER", g.world_phone()).add("\n")
    d.pii("EMAIL_ADDRESS", g.email(_ascii(first) or "info", _ascii(last) or "desk")).add("\n")


def _release(d: Doc, g: Gen) -> None:
    """Release notes: version strings shaped like IPv4 addresses after version words, product names made
    of person-like words, one real address and one reserved-range phone number."""
    f1, l1, full = g.world_person()
    d.add(f"{g.brand()} {g.release()} release notes ({g.date()})\n\n")
    d.add(f"- Upgraded the agent from {g.release()} to {g.release()}; {g.brand()} now ships with it.\n")
    d.add(f"- Fixed a crash in {g.brand()} when the proxy at ").pii("IP_ADDRESS", g.ip()).add(" timed out.\n")
    d.add(f"- Package digest {g.hexhash()}, tracking {g.tracking()}, price {g.price()}.\n")
    d.add("Thanks to ").pii("PERSON", full).add(" for the report. Support line: ")
    d.pii("PHONE_NUMBER", g.fictional_phone()).add(", or ").pii("PHONE_NUMBER", g.world_phone()).add(".\n")


GENRES: dict[str, Callable[[Doc, Gen], None]] = {
    "email": _email,
    "ticket": _ticket,
    "invoice": _invoice,
    "hr": _hr,
    "minutes": _minutes,
    "crm": _crm,
    "incident": _incident,
    "chat": _chat,
    "signature": _signature,
    "release": _release,
}


def build(n_docs: int = N_DOCS, seed: int = SEED) -> list[Doc]:
    rng = random.Random(seed)
    genres = list(GENRES)
    docs: list[Doc] = []
    for i in range(n_docs):
        locale = LOCALES[i % len(LOCALES)]
        genre = genres[(i // len(LOCALES)) % len(genres)]
        doc_id = f"pii-{i:04d}"
        doc = Doc(doc_id, genre, locale, "dev" if zlib.crc32(doc_id.encode()) % 2 == 0 else "test")
        GENRES[genre](doc, Gen(locale, random.Random(rng.randrange(2**31))))
        for s in doc.spans:
            assert doc.text[s.start : s.end] == s.text
        docs.append(doc)
    return docs


def split(docs: list[Doc], name: str) -> list[Doc]:
    return [d for d in docs if d.split == name]


if __name__ == "__main__":
    all_docs = build()
    for part in ("dev", "test"):
        docs = split(all_docs, part)
        kinds = Counter(s.kind for d in docs for s in d.spans)
        print(part, len(docs), "docs", sum(kinds.values()), "spans", dict(sorted(kinds.items())))
    print(all_docs[3].text)
