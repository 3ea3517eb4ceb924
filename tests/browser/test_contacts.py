"""Importing contacts in a browser: upload, map the columns, watch the progress, see the result."""

import pytest

from contacts.models import Contact

from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_upload_map_watch_and_see_the_result(
    live_server, page, workspace, sender, celery_worker, tmp_path
):
    rows = ["Mobile;Full name;Town"] + [f"07700 9{i:05d};Person {i};York" for i in range(30_000)]
    rows += ["garbage;Bad Number;York", "07700 900001;;York"]
    upload = tmp_path / "people.csv"
    upload.write_text("\n".join(rows) + "\n", encoding="utf-8-sig")

    log_in(page, live_server.url, sender.email)
    page.goto(f"{live_server.url}/w/{workspace.slug}/contacts/")
    page.get_by_role("button", name="Import CSV").click()
    page.set_input_files("#id_file", str(upload))
    page.get_by_role("button", name="Upload and preview").click()
    page.get_by_role("heading", name="Match the columns").wait_for()
    assert page.input_value("#id_col_0") == "number"  # guessed from the header
    first_row = page.locator("#import-preview tbody tr").nth(1)
    assert first_row.locator("td").nth(1).inner_text() == "Yes"
    page.select_option("#id_col_0", "email")  # no number now: the rows are checked again
    page.get_by_text("Map exactly one column to the number.").wait_for()
    page.focus("#id_col_0")
    page.keyboard.press("ArrowUp")  # back to "number", by keyboard
    page.get_by_text("0 will fail").wait_for()
    assert page.evaluate("document.activeElement.id") == "id_col_0"  # the swap keeps the focus
    with page.expect_response(lambda r: r.request.method == "POST"):
        page.select_option("#id_col_2", "field1")
    page.wait_for_timeout(100)  # htmx settles the swap; a screenshot meanwhile would leave a style
    page.screenshot(path=tmp_path / "preview.png", full_page=True)
    page.get_by_role("button", name="Import", exact=True).click()
    page.locator("#import-live progress").wait_for()
    page.screenshot(path=tmp_path / "progress.png", full_page=True)
    page.get_by_role("heading", name="Done").wait_for(timeout=60_000)
    failed = page.locator("table.import-issues tr", has_text="Invalid number (garbage)")
    assert failed.locator("td").first.inner_text() == "30002"
    duplicate = page.locator("table.import-issues tr", has_text="Duplicate number")
    assert duplicate.get_by_role("link").inner_text() == "Person 1 (+447700900001)"
    page.screenshot(path=tmp_path / "result.png", full_page=True)
    assert "2 rows not imported as they were" in page.content()
    assert Contact.objects.filter(workspace=workspace).count() == 30_000
    assert Contact.objects.filter(field1="York").count() == 30_000
    assert page.console_errors == []
