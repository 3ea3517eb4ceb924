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
    page.select_option("#id_col_1", "name")
    page.select_option("#id_col_2", "field1")
    page.get_by_role("button", name="Import").click()
    page.locator("#import-live progress").wait_for()
    page.screenshot(path=tmp_path / "progress.png", full_page=True)
    page.get_by_role("heading", name="Done").wait_for(timeout=60_000)
    page.get_by_text("30002 : Invalid number (garbage)").wait_for()
    page.screenshot(path=tmp_path / "result.png", full_page=True)
    assert "2 rows to fix" in page.content()
    assert Contact.objects.filter(workspace=workspace).count() == 30_000
    assert Contact.objects.filter(field1="York").count() == 30_000
    assert page.console_errors == []
