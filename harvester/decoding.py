"""Bytes to text for portal pages whose declared charsets cannot be trusted.

Policy (DOMAIN.md): a BOM wins; a UTF-8 declaration is believed when the bytes decode strictly;
otherwise a strict UTF-8 trial runs before any GB declaration is believed, because UTF-8 bytes
also decode "successfully" as GB18030 (into mojibake). Then the HTTP header, then <meta>, each only
if it decodes strictly; then charset-normalizer; finally GB18030 with replacement. GB2312 and GBK
are always decoded as GB18030, their superset: pages declaring gb2312 routinely contain GBK-only
characters (镕, 堃) that a strict gb2312 decoder would turn into U+FFFD.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Mapping
from dataclasses import dataclass

from harvester.result import Charset

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig", "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16", "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16", "utf-16"),
)
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.I)
_META_CHARSET = re.compile(
    rb"<meta[^>]+charset\s*=\s*[\"']?\s*([\w.:-]+)", re.I
)
_SUPERSETS = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "cp936": "gb18030",
              "euc-cn": "gb18030", "hz-gb-2312": "gb18030", "gb_2312-80": "gb18030",
              "ascii": "utf-8", "us-ascii": "utf-8"}
# Western single-byte labels on a Chinese portal are server defaults, not statements about the
# page: every byte string decodes under them, so they would always "succeed" into mojibake.
_UNTRUSTED = {"iso8859-1", "cp1252", "latin-1", "iso8859-15"}


@dataclass
class Decoded:
    text: str
    charset: Charset


def canonical_codec(label: str | None) -> str | None:
    """Python codec name for a declared label, GB family mapped to gb18030; None if unknown."""
    if not label:
        return None
    label = label.strip().lower()
    label = _SUPERSETS.get(label, label)
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    return _SUPERSETS.get(name, name)


def header_charset(headers: Mapping[str, str] | None) -> str | None:
    for key, value in (headers or {}).items():
        if key.lower() == "content-type":
            match = _HEADER_CHARSET.search(value)
            return match.group(1).lower() if match else None
    return None


def meta_charset(body: bytes) -> str | None:
    match = _META_CHARSET.search(body[:4096])
    return match.group(1).decode("ascii", "replace").lower() if match else None


def _strict(body: bytes, codec: str) -> str | None:
    try:
        return body.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def decode(body: bytes, headers: Mapping[str, str] | None = None) -> Decoded:
    """Decode a page following the policy above; the Charset says what was declared and used."""
    charset = Charset(declared_http=header_charset(headers), declared_meta=meta_charset(body))

    def done(text: str, used: str, detected: str | None = None) -> Decoded:
        charset.used, charset.detected = used, detected
        charset.replacements = text.count("\ufffd")
        return Decoded(text, charset)

    for bom, codec, name in _BOMS:
        if body.startswith(bom):
            return done(body.decode(codec, errors="replace"), name, f"{name} (BOM)")

    declared = [canonical_codec(charset.declared_http), canonical_codec(charset.declared_meta)]
    if "utf-8" in declared or body.isascii():
        text = _strict(body, "utf-8")
        if text is not None:
            return done(text, "utf-8", "utf-8" if not body.isascii() else None)
    text = _strict(body, "utf-8")
    if text is not None:
        return done(text, "utf-8", "utf-8 (strict trial)")
    for codec in declared:
        if codec and codec != "utf-8" and codec not in _UNTRUSTED:
            text = _strict(body, codec)
            if text is not None:
                return done(text, codec)
    text = _strict(body, "gb18030")
    if text is not None:
        return done(text, "gb18030", "gb18030 (strict trial)")

    from charset_normalizer import from_bytes

    best = from_bytes(body).best()
    detected = canonical_codec(best.encoding) if best else None
    if detected:
        return done(body.decode(detected, errors="replace"), detected, detected)
    return done(body.decode("gb18030", errors="replace"), "gb18030", None)
