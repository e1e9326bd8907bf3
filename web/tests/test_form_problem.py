"""The one form-error helper (web/forms.py): problem+json errors to the form's fields by label. The problems are
the shapes the services answer: FastAPI/pydantic validation (`location`, `type`), a service rule's own errors,
the OneRoster import's file/row errors, and a problem with a detail only."""

from web.forms import field_for, form_problem

LABELS = {"evidence": "Evidence", "reason": "Reason", "score": "Score (%)"}


def test_the_longest_known_end_of_the_location_names_the_field():
    assert field_for(["body", "ratings", "culture", "smart_goals", "evidence"], LABELS) == "evidence"
    aliases = {"culture.smart_goals.evidence": "evidence-culture-smart_goals"}
    assert field_for(["body", "ratings", "culture", "smart_goals", "evidence"], LABELS, aliases) == (
        "evidence-culture-smart_goals"
    )
    assert field_for(["body", "nothing_here"], LABELS) is None


def test_pydantic_refusals_are_said_plainly_and_by_label():
    problem = {
        "status": 422,
        "title": "Unprocessable content",
        "errors": [
            {"location": ["body", "evidence"], "message": "String should have at least 1 character", "type": "string_too_short"},
            {"location": ["body", "score"], "message": "Input should be less than or equal to 100", "type": "less_than_equal"},
            {"location": ["body", "team", "name"], "message": "Field required", "type": "missing"},
        ],
    }  # fmt: skip
    fp = form_problem(problem, LABELS)
    assert (
        fp.on("evidence") == "cannot be blank"
        and fp.on("score") == "Input should be less than or equal to 100"
    )
    assert fp.summary == [
        "Evidence: cannot be blank",
        "Score (%): Input should be less than or equal to 100",
        "team · name: is required",  # no such field on this form: in the summary, where it is said
    ]


def test_an_upload_problem_naming_no_field_is_about_the_file():
    problem = {"status": 422, "title": "Invalid OneRoster package", "detail": "The package has no manifest.csv.",
               "errors": [{"file": "manifest.csv", "row": None, "column": None, "reason": "missing"}]}  # fmt: skip
    fp = form_problem(problem, {"package": "Package (.zip)"}, whole="package")
    assert fp.on("package") == "The package has no manifest.csv."
    assert fp.summary == ["Package (.zip): The package has no manifest.csv."]
    assert fp.other == []


def test_a_detail_only_problem_stays_in_the_summary():
    fp = form_problem({"status": 409, "title": "Conflict", "detail": "Assignment x was exited."}, LABELS)
    assert fp.fields == {} and fp.summary == ["Assignment x was exited."]
