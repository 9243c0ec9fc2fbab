"""The address book (sổ địa chỉ) as files other programs read: CSV (spreadsheets, with a BOM so Excel
reads UTF-8), vCard 3.0 (address books of mail clients and phones) and LDIF (RFC 2849, an LDAP directory)."""

import base64
import csv
import io

from congvan.mail import addresses

CSV_HEADER = ["Loại", "Tên", "Chức vụ", "Cơ quan", "Mã định danh", "Thư điện tử", "Bí danh", "Điện thoại"]


def to_csv(entries) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for e in entries:
        writer.writerow(["cơ quan" if e.kind == "agency" else "cá nhân", e.name, e.position, e.agency.name,
                         e.agency.code, e.email, " ".join(e.aliases), e.phone])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _vcard_text(value: str) -> str:
    return (value or "").replace("\\", "\\\\").replace("\n", "\\n").replace(",", "\\,").replace(";", "\\;")


def _fold(line: str) -> str:
    """Lines of at most 75 octets, continued with a space (RFC 6350 §3.2), never splitting a character."""
    out, current = [], b""
    for ch in line:
        encoded = ch.encode("utf-8")
        if len(current) + len(encoded) > (75 if not out else 74):
            out.append(current)
            current = b""
        current += encoded
    out.append(current)
    return "\r\n ".join(part.decode("utf-8") for part in out)


def to_vcard(entries) -> bytes:
    cards = []
    for e in entries:
        lines = ["BEGIN:VCARD", "VERSION:3.0", f"FN:{_vcard_text(e.name)}"]
        if e.kind == "agency":
            lines += [f"N:{_vcard_text(e.name)};;;;", f"ORG:{_vcard_text(e.name)}"]
        else:
            family, _, given = e.name.rpartition(" ")
            lines += [f"N:{_vcard_text(family)};{_vcard_text(given or e.name)};;;",
                      f"ORG:{_vcard_text(e.agency.name)}"]
            if e.position:
                lines.append(f"TITLE:{_vcard_text(e.position)}")
        lines.append(f"EMAIL;TYPE=INTERNET,PREF:{e.email}")
        lines += [f"EMAIL;TYPE=INTERNET:{alias}" for alias in e.aliases]
        if e.phone:
            lines.append(f"TEL;TYPE=WORK:{_vcard_text(e.phone)}")
        lines += [f"NOTE:{_vcard_text('Mã định danh cơ quan: ' + e.agency.code)}", "END:VCARD"]
        cards.append("\r\n".join(_fold(line) for line in lines))
    return ("\r\n".join(cards) + "\r\n").encode("utf-8")


def _ldif_value(name: str, value: str) -> str:
    """``name: value`` when safe, else ``name:: base64`` (non-ASCII, leading space, colon or <)."""
    safe = value.isascii() and not value.startswith((" ", ":", "<")) and not value.endswith(" ") and \
        "\n" not in value and "\r" not in value
    if safe:
        return f"{name}: {value}"
    return f"{name}:: {base64.b64encode(value.encode('utf-8')).decode('ascii')}"


def _dn_escape(value: str) -> str:
    return "".join("\\" + ch if ch in ',+"\\<>;=#' else ch for ch in value)


def to_ldif(entries, base_dn: str) -> bytes:
    blocks = ["version: 1"]
    for e in entries:
        dn = f"mail={_dn_escape(e.email)},ou=sodiachi,{base_dn}"
        sn = e.name.rsplit(" ", 1)[0] if e.kind == "person" and " " in e.name else e.name
        given = e.name.rsplit(" ", 1)[-1] if e.kind == "person" else ""
        lines = [_ldif_value("dn", dn), "objectClass: top", "objectClass: person",
                 "objectClass: organizationalPerson", "objectClass: inetOrgPerson",
                 _ldif_value("cn", e.name), _ldif_value("sn", sn), _ldif_value("mail", e.email),
                 _ldif_value("o", e.agency.name), _ldif_value("businessCategory", e.agency.code)]
        if given:
            lines.append(_ldif_value("givenName", given))
        if e.position:
            lines.append(_ldif_value("title", e.position))
        if e.phone:
            lines.append(_ldif_value("telephoneNumber", e.phone))
        lines += [_ldif_value("mail", alias) for alias in e.aliases]
        blocks.append("\n".join(lines))
    return ("\n\n".join(blocks) + "\n").encode("utf-8")


def base_dn(domain: str) -> str:
    return ",".join(f"dc={part}" for part in addresses.normalize(domain).split(".") if part)
