"""web.forms: the API's problem+json errors keyed by the form field they are about."""

from web.client import ApiError
from web.forms import field_errors, refusal


def test_errors_are_keyed_by_the_last_name_of_their_location():
    problem = ApiError(422, {"title": "Invalid input", "errors": [
        {"location": ["body", "items", 0, "max_points"], "message": "Input should be greater than 0"},
        {"location": ["body", "title"], "message": "String should have at least 1 character"},
        {"location": ["body"], "message": "mastery_cut must be at or above proficiency_cut"},
        {"location": ["body", "title"], "message": "a second message for the same field"},
    ]})  # fmt: skip
    assert field_errors(problem) == {
        "max_points": "Input should be greater than 0",
        "title": "String should have at least 1 character",
    }


def test_a_problem_without_errors_has_no_field_errors_and_only_fixable_statuses_are_refusals():
    assert field_errors(None) == {} and field_errors(ApiError(409, {"detail": "exists"})) == {}
    assert refusal(ApiError(409, {})) and refusal(ApiError(422, {})) and not refusal(ApiError(403, {}))
