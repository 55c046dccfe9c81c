"""Writes the binary files of sample_docs/ (PDF, DOCX, PPTX, XLSX, MSG, ODT, RTF, EPUB) from the text below.

Run once after changing the text: ``.venv/bin/python scripts/make_sample_docs.py``. The PDF is written by
hand (standard Helvetica font, one text object per line) so it needs no PDF library and every page holds
real, extractable text. The .msg by scripts/outlook_msg.py; ODT, RTF and EPUB by pandoc (pypandoc-binary)
from the Markdown below.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import textwrap
from pathlib import Path

import outlook_msg

OUT = Path(__file__).resolve().parent.parent / "sample_docs"

MANUAL_PAGES = [
    [
        ("h1", "Porter H2 Operator Manual"),
        ("p", "Halcyon Robotics, document PM-H2-EN, revision C, April 2026."),
        ("h2", "1. Safety"),
        (
            "p",
            "Only trained operators may work next to a moving Porter robot. Keep a distance of at least "
            "1 metre from a robot in motion. The red emergency stop button is on both sides of the chassis; "
            "pressing it cuts power to the drive motors at once.",
        ),
        ("h2", "2. Specifications"),
        (
            "p",
            "Payload: 150 kg (Porter H2) or 400 kg (Porter H2 XL). Top speed: 1.8 m/s, limited to 1.0 m/s "
            "near people. Battery: 48 V lithium iron phosphate, 8 hours of typical operation. Full charge "
            "on the dock charger takes 90 minutes. Operating temperature: -10 to 40 degrees Celsius.",
        ),
    ],
    [
        ("h2", "3. Charging"),
        (
            "p",
            "The robot docks on its own when the battery falls below 15%. To charge by hand, drive the robot "
            "onto the dock plate until the green charging light shows. Never charge a battery that is below "
            "0 degrees Celsius: let it warm up for 30 minutes first.",
        ),
        ("h2", "4. Error codes"),
        ("p", "E-09 Wheel motor overheated: stop the robot for 20 minutes and check for debris."),
        (
            "p",
            "E-17 Lidar obstruction: the lidar window is dirty or blocked, or a reflective surface confuses "
            "the sensor. Clean the window with a dry cloth. Near glass or metal doors, add a reflector "
            "strip as described in section 6.",
        ),
        ("p", "E-23 Lost localisation: drive the robot back to a mapped area and restart navigation."),
        ("p", "E-31 Battery fault: take the robot out of service and call support."),
    ],
    [
        ("h2", "5. Maintenance"),
        (
            "p",
            "Clean the lidar window weekly. Check the wheels for wear every 500 operating hours. Replace the "
            "drive belts every 5,000 operating hours or every two years, whichever comes first.",
        ),
        ("h2", "6. Doors and cold storage"),
        (
            "p",
            "Automatic doors must open within 2 seconds of the robot's request. For cold-storage doors, fit "
            "the reflector strip kit (part RS-4) on the door frame, so that the lidar does not mistake the "
            "metal door for an obstacle. Robots can work in cold storage down to -10 degrees Celsius for "
            "up to 30 minutes at a time.",
        ),
    ],
]

SECURITY_POLICY = [
    ("title", "Information Security Policy"),
    ("p", "Halcyon Robotics. Policy owner: Chief Information Security Officer, Ingrid Holm. Version 3.2."),
    ("h1", "Passwords and accounts"),
    (
        "p",
        "Passwords must be at least 14 characters long. Multi-factor authentication is mandatory for every "
        "company account, including e-mail, the HR portal and the Fleet Manager. Shared accounts are "
        "forbidden; service accounts are reviewed every quarter.",
    ),
    ("h1", "Devices"),
    (
        "p",
        "Company laptops use full-disk encryption and lock after 5 minutes of inactivity. Personal devices "
        "may read e-mail only through the managed mail app.",
    ),
    ("h1", "Reporting incidents"),
    (
        "p",
        "Report any suspected security incident within 1 hour to security@halcyon-robotics.example or by "
        "phone to the security hotline, extension 4444. Do not try to investigate on your own.",
    ),
    ("h1", "Data classification"),
    (
        "table",
        [
            ["Class", "Examples", "Handling"],
            ["Public", "Website, brochures", "No restriction"],
            ["Internal", "Handbook, meeting notes", "Employees only"],
            ["Confidential", "Customer contracts, salaries", "Need to know, encrypted at rest"],
        ],
    ),
]

ALL_HANDS = [
    ("Q3 2026 All-Hands", ["Halcyon Robotics", "8 October 2026, Lyon and online"]),
    (
        "Q3 results",
        [
            "Revenue: 4.2 million euros, up 31% on Q3 2025",
            "38 new customers, 11 of them in Spain",
            "Robots in the field: 1,140",
        ],
    ),
    (
        "Product",
        [
            "Firmware 4.2 ships on 7 October",
            "Porter H2 XL pilot with two grocery chains",
            "Fleet Manager mobile app in beta",
        ],
    ),
    (
        "People",
        [
            "Headcount: 260 across four offices",
            "New Porto support office opened in June",
            "Employee survey: 84% would recommend Halcyon as an employer",
        ],
    ),
    (
        "Q4 priorities",
        [
            "Reach 5 million euros of quarterly revenue",
            "Cut the average support response time to 2 hours",
            "Open the Milan sales office in March 2027",
        ],
    ),
]


FLEET = {
    "Robots": [
        ("Serial", "Model", "Site", "Commissioned", "Firmware", "Operating hours"),
        ("PH2-0148", "Porter H2", "Valencia", dt.date(2025, 3, 14), "4.1.0", 4120),
        ("PH2-0151", "Porter H2", "Valencia", dt.date(2025, 3, 14), "4.1.0", 3985),
        ("PH2-0203", "Porter H2 XL", "Rotterdam", dt.date(2025, 9, 2), "4.0.3", 2210),
        ("PH2-0217", "Porter H2", "Rotterdam", dt.date(2025, 9, 2), "4.1.0", 2093),
        ("PH2-0260", "Porter H2 XL", "Lyon", dt.date(2026, 2, 20), "4.1.0", 1154),
    ],
    "Sites": [
        ("Site", "Customer", "Robots", "Site manager"),
        ("Valencia", "Fresh Market", 8, "Luis Moreno"),
        ("Rotterdam", "Van Dijk Logistics", 12, "Femke de Vries"),
        ("Lyon", "Pharmadis", 5, "Claire Besson"),
    ],
}

FIRE_DRILL = outlook_msg.Message(
    subject="Fire drill at headquarters on Thursday 12 November",
    body=(
        "Hello everyone,\r\n\r\nThe yearly fire drill at headquarters takes place on Thursday 12 November "
        "at 10:30. When the alarm sounds, leave by the nearest staircase (not the lifts) and gather at "
        "assembly point B in the north car park. Floor wardens wear yellow vests and count their floor.\r\n"
        "\r\nThe drill lasts about 20 minutes. Robots in the demo hall stop on their own when the alarm "
        "sounds.\r\n\r\nThanks,\r\nMarta Lopez, Facilities"
    ),
    sender_name="Marta Lopez",
    sender_email="marta.lopez@halcyon.example",
    to=[("All staff", "all@halcyon.example")],
    sent=dt.datetime(2026, 11, 2, 8, 15, tzinfo=dt.UTC),
    attachments=[
        outlook_msg.Attachment(
            "floor-wardens.txt",
            b"Floor wardens 2026\n\nGround floor: Tomas Berg\nFirst floor: Aiko Tanaka\n"
            b"Second floor: Ravi Patel\n",
        )
    ],
)

TRAINING_MD = """---
title: Customer Training Programme 2027
---

# Customer Training Programme 2027

Halcyon Robotics trains the people who run Porter robots at customer sites.

## Courses

**Porter Operator Basics** takes one day and costs 450 euros per person. It covers driving, docking and
the emergency stop.

**Fleet Supervisor** takes three days and costs 1,200 euros per person. It covers mission planning in
the Fleet Manager, error codes and first-line maintenance.

## Booking

Book a course through your account manager at least four weeks ahead. Courses run in Valencia and
Rotterdam; on-site courses cost 900 euros per day plus travel.
"""

VISITOR_MD = """# Visitor Policy

Every visitor signs in at reception and receives a red badge, which must be worn visibly at all times.

## Escort

Visitors are escorted by their host everywhere beyond the reception area, including the demo hall.

## Confidentiality

Visitors to the engineering floor sign a non-disclosure agreement before entering. Photography is not
allowed in the engineering lab.
"""

FLEET_GUIDE_MD = """---
title: Fleet Manager User Guide
author: Halcyon Robotics
---

# Maps and zones

Draw a slow zone on the map to limit robots to 0.5 m/s in that area. A no-go zone keeps robots out
entirely; changes reach the robots within one minute.

# Missions

A mission is a list of stops. Schedule a recurring mission from the Missions tab; a robot takes the next
mission only when its battery is above 30%.

# User roles

Viewers see the map and robot status. Dispatchers create missions. Administrators also edit maps and
invite users.
"""


def write_pdf(path: Path, pages: list[list[tuple[str, str]]]) -> None:
    sizes = {"h1": 18, "h2": 13, "p": 10.5}
    streams = []
    for number, blocks in enumerate(pages, 1):
        y = 790.0
        lines = []
        for kind, text in blocks:
            size = sizes[kind]
            wrapped = textwrap.wrap(text, 95) if kind == "p" else [text]
            y -= size * 0.6
            for line in wrapped:
                esc = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
                font = "F2" if kind != "p" else "F1"
                lines.append(f"BT /{font} {size} Tf 56 {y:.1f} Td ({esc}) Tj ET")
                y -= size * 1.45
        lines.append(f"BT /F1 9 Tf 290 40 Td (Page {number}) Tj ET")
        streams.append("\n".join(lines).encode("latin-1"))
    objects: list[bytes] = []
    n_pages = len(pages)
    page_ids = [5 + 2 * i for i in range(n_pages)]
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    kids = " ".join(f"{i} 0 R" for i in page_ids)
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {n_pages} >>".encode())
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>")
    for i, stream in enumerate(streams):
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R "
            f"/F2 4 0 R >> >> /Contents {page_ids[i] + 1} 0 R >>".encode()
        )
        objects.append(f"<< /Length {len(stream)} >>\nstream\n".encode() + stream + b"\nendstream")
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{n} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    path.write_bytes(bytes(out))


def write_docx(path: Path) -> None:
    import docx

    d = docx.Document()
    d.core_properties.author = "Halcyon Robotics"
    for kind, content in SECURITY_POLICY:
        if kind == "title":
            d.add_heading(content, level=0)
        elif kind == "h1":
            d.add_heading(content, level=1)
        elif kind == "p":
            d.add_paragraph(content)
        elif kind == "table":
            table = d.add_table(rows=len(content), cols=len(content[0]))
            for r, row in enumerate(content):
                for c, cell in enumerate(row):
                    table.cell(r, c).text = cell
    d.save(str(path))


def write_pptx(path: Path) -> None:
    from pptx import Presentation

    prs = Presentation()
    for i, (title, bullets) in enumerate(ALL_HANDS):
        slide = prs.slides.add_slide(prs.slide_layouts[0 if i == 0 else 1])
        slide.shapes.title.text = title
        body = slide.placeholders[1].text_frame
        body.text = bullets[0]
        for b in bullets[1:]:
            body.add_paragraph().text = b
    prs.core_properties.author = "Halcyon Robotics"
    prs.save(str(path))


def write_xlsx(path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for name, rows in FLEET.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    book.properties.creator = "Halcyon Robotics"
    book.save(str(path))


def write_with_pandoc(path: Path, markdown: str) -> None:
    import pypandoc

    to = {".odt": "odt", ".rtf": "rtf", ".epub": "epub"}[path.suffix]
    args = [pypandoc.get_pandoc_path(), "--sandbox", "-f", "markdown", "-t", to, "-s", "-o", str(path)]
    subprocess.run(args, input=markdown.encode(), check=True)


if __name__ == "__main__":
    write_pdf(OUT / "porter-h2-manual.pdf", MANUAL_PAGES)
    write_docx(OUT / "security-policy.docx")
    write_pptx(OUT / "q3-2026-all-hands.pptx")
    write_xlsx(OUT / "fleet-inventory.xlsx")
    (OUT / "fire-drill-2026-11.msg").write_bytes(outlook_msg.write(FIRE_DRILL))
    write_with_pandoc(OUT / "customer-training-2027.odt", TRAINING_MD)
    write_with_pandoc(OUT / "visitor-policy.rtf", VISITOR_MD)
    write_with_pandoc(OUT / "fleet-manager-guide.epub", FLEET_GUIDE_MD)
