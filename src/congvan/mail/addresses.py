"""Mail addresses: normalising, checking and proposing official addresses (no Django here)."""

import re

from congvan.text import fold, nfc

# What an official address may look like: ASCII local part of letters, digits and . _ - + (no quoting),
# a domain of labels. Stricter than RFC 5322 on purpose: these addresses are printed on documents.
ADDRESS_RE = re.compile(r"^[a-z0-9](?:[a-z0-9._+-]{0,62}[a-z0-9])?@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+"
                        r"[a-z0-9-]{2,63}$")
LOOSE_RE = re.compile(r"^[^@\s<>()\[\],;:\"]{1,64}@[^@\s<>()\[\],;:\"]{1,253}\.[^@\s<>()\[\],;:\"]{2,63}$")


def normalize(address: str) -> str:
    """Trimmed, lower case, NFC (addresses compare equal whatever the case the sender typed)."""
    return nfc((address or "").strip().strip("<>").strip()).lower()


def is_official(address: str) -> bool:
    """An address the platform may create (strict shape)."""
    return bool(ADDRESS_RE.match(normalize(address)))


def is_valid(address: str) -> bool:
    """An address someone else owns (a citizen's, a business's): the usual shape, no spaces or brackets."""
    return bool(LOOSE_RE.match(normalize(address)))


def domain_of(address: str) -> str:
    return normalize(address).rpartition("@")[2]


def local_part_of(address: str) -> str:
    return normalize(address).rpartition("@")[0]


def local_part(text: str) -> str:
    """An ASCII local part from a name or a user name: folded (marks off, đ→d), other characters → '.'."""
    cleaned = re.sub(r"[^a-z0-9._-]+", ".", fold(text or ""))
    return re.sub(r"\.{2,}", ".", cleaned).strip(".-_")[:64]


def bounce_address(localpart: str, token: str, domain: str) -> str:
    """VERP envelope sender: bounces+<token>@domain (a bounce names the message it is about)."""
    return f"{localpart}+{token}@{domain}"


def bounce_token(address: str, localpart: str) -> str | None:
    """The token of a VERP bounce address, None when ``address`` is not one."""
    local = local_part_of(address)
    prefix = localpart.lower() + "+"
    if local.startswith(prefix) and len(local) > len(prefix):
        return local[len(prefix):]
    return None
