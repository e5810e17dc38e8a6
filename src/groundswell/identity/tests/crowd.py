"""Made-up donors that make a surname and a given name common in a test's file.

The rare-name rules (``engine_rare``) read how common a name is from the file itself. A test
that wants JOHN SMITH's situation (namesakes expected) with a made-up name adds this crowd:
forty other bearers of the surname and forty of the given name, one per ZIP in a state of
their own, so that none of them is anywhere near the records under test.
"""

from __future__ import annotations

_GIVEN = (
    "ABNER", "BASIL", "CALLUM", "DORIAN", "EDMUND", "FELIX", "GIDEON", "HORACE", "IGNATIUS",
    "JASPER", "KENDRICK", "LUCIAN", "MARCUS", "NEVILLE", "OSWALD", "PERCIVAL", "QUENTIN",
    "RUFUS", "SILAS", "THADDEUS", "ULRIC", "VAUGHN", "WARRICK", "XAVIER", "YORICK", "ZEBEDEE",
    "AMBROSE", "BARNABY", "CORNELIUS", "DESMOND", "ELLIOT", "FLETCHER", "GRANVILLE", "HUXLEY",
    "ISIDORE", "JOLYON", "LEOPOLD", "MORDECAI", "NATHANIEL", "OCTAVIUS",
)  # fmt: skip
_FAMILY = (
    "ABERFORTH", "BRACKENRIDGE", "CALDERWOOD", "DUNSTABLE", "ELLINGHAM", "FAIRWEATHER",
    "GLADSTONE", "HAVERSHAM", "INGLEBY", "JESSAMY", "KINGSLEY", "LOCKWOOD", "MARCHBANKS",
    "NETHERCOTT", "OAKENSHAW", "PEMBERTON", "QUARRINGTON", "ROCHESTER", "SALTONSTALL",
    "THISTLEWOOD", "UNDERHILL", "VANSITTART", "WETHERBY", "YARDLEY", "ASHBOURNE", "BELLINGHAM",
    "CHATTERLEY", "DARLINGTON", "EVERSLEY", "FOXCROFT", "GRESHAM", "HOLLINGSWORTH", "IVERSON",
    "KETTERIDGE", "LANGHAM", "MERRIWEATHER", "NORTHCOTT", "ORMESBY", "PRESCOTT", "RADCLIFFE",
)  # fmt: skip


def common_name_crowd(family: str, given: str) -> dict[str, dict]:
    """Records (keyed by a name for the resolve fixture) making FAMILY and GIVEN common."""
    crowd = {}
    for i, (other_given, other_family) in enumerate(zip(_GIVEN, _FAMILY, strict=True)):
        place = {"city": f"Crowdville {i}", "state": "WY", "employer": "", "occupation": ""}
        crowd[f"crowd family {i}"] = {
            "full_name": f"{family}, {other_given}", "postal_code": f"{82001 + 2 * i}", **place,
        }  # fmt: skip
        crowd[f"crowd given {i}"] = {
            "full_name": f"{other_family}, {given}", "postal_code": f"{82101 + 2 * i}", **place,
        }  # fmt: skip
    return crowd
