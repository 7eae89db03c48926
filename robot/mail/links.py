"""Links in a mail: find them, mask them for logs, accept only the portal's own.

An activation link is a credential: it is never logged in full; ``mask_link`` keeps the scheme,
host and path and replaces every query value by ``…``.
"""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qsl, unquote, urlsplit

from robot.errors import UnsafeLinkError

_HREF = re.compile(r"""href\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.IGNORECASE)
_TEXT_URL = re.compile(r"""https?://[^\s<>"'\]\)]+""", re.IGNORECASE)
_TRAILING = ".,;:!?»”’"

# Hosts (suffixes) and paths of known redirect/tracking wrappers.
WRAPPER_HOSTS = (
    "safelinks.protection.outlook.com",
    "urldefense.com",
    "urldefense.proofpoint.com",
    "protect-us.mimecast.com",
    "protect-eu.mimecast.com",
    "mimecastprotect.com",
    "linkprotect.cudasvc.com",
    "l.facebook.com",
    "t.co",
    "click.mailchimp.com",
    "list-manage.com",
    "sendgrid.net",
)
_GOOGLE = re.compile(r"(^|\.)google\.[a-z.]+$")


def mask_link(url: str) -> str:
    """``https://host/path?token=…``: safe to log or show."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<enlace ilegible>"
    masked = f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}{parts.path}"
    if parts.query:
        keys = [key for key, _ in parse_qsl(parts.query, keep_blank_values=True)]
        masked += "?" + "&".join(f"{key}=…" for key in keys) if keys else "?…"
    return masked


def secret_parts(url: str) -> list[str]:
    """What to register as secrets for a portal link: the link and its long query values.

    Short values (``SkinName=CCE``, ``currentLanguage=es-CO``) are not credentials and would
    mask ordinary words; tokens and session keys are long.
    """
    parts = [url]
    try:
        values = [value for _, value in parse_qsl(urlsplit(url).query, keep_blank_values=True)]
    except ValueError:
        return parts
    return parts + [value for value in values if len(value) >= 8]


def find_links(text: str, html_body: str) -> list[str]:
    """Every http(s) link of a mail, in order, without duplicates: HTML hrefs first."""
    found: list[str] = []
    for match in _HREF.finditer(html_body):
        found.append(html.unescape(next(g for g in match.groups() if g is not None)).strip())
    for match in _TEXT_URL.finditer(text):
        found.append(match.group(0).rstrip(_TRAILING))
    for match in _TEXT_URL.finditer(html.unescape(_strip_tags(html_body))):
        found.append(match.group(0).rstrip(_TRAILING))
    unique: list[str] = []
    for url in found:
        if url.lower().startswith(("http://", "https://")) and url not in unique:
            unique.append(url)
    return unique


def _strip_tags(body: str) -> str:
    return re.sub(r"<[^>]*>", " ", body)


def host_of(url: str) -> str:
    """``host[:port]`` in lower case, or "" when the URL cannot be read."""
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        port = parts.port
    except ValueError:
        return ""
    return f"{host}:{port}" if port else host


def host_allowed(url: str, allowed_hosts: tuple[str, ...]) -> bool:
    """True when the URL's host (with its port, if the allowed entry names one) is allowed."""
    full = host_of(url)
    if not full:
        return False
    bare = full.partition(":")[0]
    for allowed in allowed_hosts:
        entry = allowed.lower()
        if entry == full or (":" not in entry and entry == bare):
            return True
    return False


def is_wrapper(url: str) -> bool:
    """True for a known redirect/tracking wrapper (Outlook Safe Links, Google /url, …)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    host = (parts.hostname or "").lower()
    if any(host == w or host.endswith("." + w) for w in WRAPPER_HOSTS):
        return True
    return bool(_GOOGLE.search(host)) and parts.path in ("/url", "/url/")


def wraps_allowed(url: str, allowed_hosts: tuple[str, ...]) -> bool:
    """True when some query value of ``url`` is itself a link to an allowed host."""
    try:
        values = [value for _, value in parse_qsl(urlsplit(url).query, keep_blank_values=True)]
    except ValueError:
        return False
    for value in values:
        inner = unquote(value) if "%" in value else value
        if inner.lower().startswith(("http://", "https://")) and host_allowed(inner, allowed_hosts):
            return True
    return False


def pick_link(links: list[str], allowed_hosts: tuple[str, ...], path_prefix: str) -> str | None:
    """The one portal link under ``path_prefix``; None when the mail has none.

    Raises UnsafeLinkError when the only candidates go through a redirect wrapper, or when
    the mail holds several different portal links of that kind.
    """
    good: list[str] = []
    wrapped: list[str] = []
    for url in links:
        if host_allowed(url, allowed_hosts):
            if _path_matches(url, path_prefix):
                good.append(url)
        elif is_wrapper(url) or wraps_allowed(url, allowed_hosts):
            wrapped.append(url)
    if len(set(good)) > 1:
        shown = ", ".join(sorted({mask_link(u) for u in good}))
        raise UnsafeLinkError(
            f"el correo trae {len(set(good))} enlaces distintos del portal ({shown})",
            hint="Revise el correo a mano: el robot no adivina cuál enlace usar.",
        )
    if good:
        return good[0]
    if wrapped:
        host = host_of(wrapped[0])
        raise UnsafeLinkError(
            f"el enlace del correo pasa por un redireccionador ({host}); el robot solo abre "
            "enlaces directos al portal",
            hint="Desactive la reescritura de enlaces (p. ej. Safe Links de Outlook) para este "
            "buzón, o use un buzón sin reenvío que envuelva los enlaces.",
        )
    return None


def _path_matches(url: str, prefix: str) -> bool:
    try:
        path = urlsplit(url).path
    except ValueError:
        return False
    return path.lower().startswith(prefix.lower())
