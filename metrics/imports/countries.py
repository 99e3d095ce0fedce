"""ISO 3166-1 alpha-2 country codes (the 249 officially assigned), for the ``country``
column type. Kept here rather than pulled from a package: the list changes rarely and
the check runs inside PostgreSQL as a constant list. Country names are read as their
code (data-contract.md, "Lenient reading"): ``COUNTRY_NAMES``."""

from babel import Locale

COUNTRY_CODES = frozenset("""
AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ
BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM
DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS
GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN
KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ
MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM
PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV
SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI
VN VU WF WS YE YT ZA ZM ZW
""".split())

# Country names as exports write them ("United Kingdom", "Deutschland"), lower-cased,
# to their code: the names Babel (already a requirement, for number formats) gives each
# code in a few languages, spelled with "and" as well as "&" and "Saint" as well as
# "St.", and a few common short forms. A name two codes share is left out.
NAME_LOCALES = ("en", "de", "fr", "es")
ALIASES = {
    "uk": "GB", "great britain": "GB", "britain": "GB", "england": "GB", "scotland": "GB", "wales": "GB",
    "northern ireland": "GB", "united kingdom of great britain and northern ireland": "GB",
    "usa": "US", "u.s.": "US", "u.s.a.": "US", "united states of america": "US", "america": "US",
    "uae": "AE", "russian federation": "RU", "korea, republic of": "KR", "republic of korea": "KR",
    "czech republic": "CZ", "holland": "NL", "the netherlands": "NL", "viet nam": "VN",
    "türkiye": "TR", "turkey": "TR", "ivory coast": "CI", "macedonia": "MK", "swaziland": "SZ",
    "burma": "MM", "cape verde": "CV", "east timor": "TL", "vatican": "VA", "hong kong sar china": "HK",
}


def _names() -> dict[str, str]:
    found: dict[str, set[str]] = {}
    for locale in NAME_LOCALES:
        for code, name in Locale(locale).territories.items():
            if code not in COUNTRY_CODES:
                continue
            spellings = {name, name.replace("&", "and"), name.replace("St.", "Saint")}
            for spelling in spellings:
                found.setdefault(" ".join(spelling.lower().split()), set()).add(code)
    names = {name: codes.pop() for name, codes in found.items() if len(codes) == 1}
    return {**names, **ALIASES}


COUNTRY_NAMES: dict[str, str] = _names()
