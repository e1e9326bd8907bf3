"""The assign form's choices (issue 24: the form defaulted to an enrichment challenge on a support flag): the
flag's kind, the tier in force or one step up; no I/O."""

from web.flags.service import fitting, tier_in_force

PYRAMID = [
    {"name": "Reteach in class", "tier": 1, "kind": "reteach"},
    {"name": "Math challenge club", "tier": 1, "kind": "Enrichment challenge"},
    {"name": "Fractions small group", "tier": 2, "kind": "small group"},
    {"name": "Intensive tutoring", "tier": 3, "kind": "tutoring"},
]


def names(flag: dict) -> list[str]:
    return [i["name"] for i in fitting(PYRAMID, flag)]


def test_a_support_flag_at_tier_1_is_offered_support_at_tiers_1_and_2():
    assert names({"kind": "support", "tier": 1}) == ["Reteach in class", "Fractions small group"]


def test_an_enrichment_flag_is_offered_enrichment_only():
    assert names({"kind": "enrichment", "tier": 1}) == ["Math challenge club"]


def test_support_in_place_raises_the_tier_the_choices_start_from():
    flag = {"kind": "support", "tier": 1, "supports": [{"tier": 2}]}
    assert tier_in_force(flag) == 2
    assert names(flag) == ["Fractions small group", "Intensive tutoring"]
