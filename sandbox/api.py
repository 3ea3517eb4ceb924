"""The `/api` endpoint: parameters in, plain-text answers out, exactly as the vendor documents."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from urllib.parse import unquote_to_bytes

from django.core.handlers.wsgi import get_bytes_from_wsgi
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from . import contacts_csv, faults, reports, sending, services, workers
from .errors import ApiError
from .models import SandboxAccount

logger = logging.getLogger(__name__)

MAX_REQUEST_BYTES = 2_621_440  # Django's own default upload limit: 2.5 MB
TEXT = "text/plain; charset=utf-8"


SHOW_ERROR_MESSAGE = "ShowErrorMessage"


class BadRequest(Exception):
    """The request could not be read: too large, or not UTF-8. `show_errors`: whether the part
    that could be read carries ShowErrorMessage."""

    def __init__(self, message: str, *, show_errors: bool = False) -> None:
        super().__init__(message)
        self.show_errors = show_errors


def _pairs(raw: bytes) -> dict[str, str]:
    params: dict[str, str] = {}
    bad = False
    show = False
    for chunk in raw.split(b"&"):
        if not chunk:
            continue
        key, _, value = chunk.partition(b"=")
        try:
            name = unquote_to_bytes(key.replace(b"+", b" ")).decode()
            show = show or name == SHOW_ERROR_MESSAGE
            params[name] = unquote_to_bytes(value.replace(b"+", b" ")).decode()
        except UnicodeDecodeError:
            bad = True
    if bad:
        raise BadRequest("Parameters must be UTF-8", show_errors=show)
    return params


def _read_body(request: HttpRequest) -> bytes:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > MAX_REQUEST_BYTES:
        while request.read(65536):  # drain, so the client reads our answer rather than a reset
            pass
        raise BadRequest(f"Request larger than {MAX_REQUEST_BYTES} bytes")
    return request.read(length) if length else b""


def read_params(request: HttpRequest) -> dict[str, str]:
    """Query string and form body (the body wins), decoded strictly as UTF-8."""
    params = _pairs(get_bytes_from_wsgi(request.META, "QUERY_STRING", ""))
    if request.method != "POST":
        return params
    try:
        if request.META.get("CONTENT_TYPE", "").startswith("multipart/"):
            try:
                params.update({key: request.POST[key] for key in request.POST})
            except Exception as exc:  # Django refuses oversize or malformed multipart bodies
                raise BadRequest(str(exc)) from exc
        else:
            params.update(_pairs(_read_body(request)))
    except BadRequest as exc:
        exc.show_errors = exc.show_errors or SHOW_ERROR_MESSAGE in params
        raise
    return params


def _show_errors(params: dict[str, str]) -> bool:
    # "If this is set (to any value)": present, even empty or 0, counts as set.
    return SHOW_ERROR_MESSAGE in params


def error_answer(error: ApiError, params: dict[str, str], *, always: bool = False) -> str:
    """The code; with ShowErrorMessage (or `always`), the text on the next line, then details."""
    if not (always or _show_errors(params)):
        return str(error.code)
    return "\n".join([str(error.code), error.text, *error.details])


# --- Actions: each takes the account and the parameters and returns the page's text ----------


def _check_credits(account: SandboxAccount, params: dict[str, str]) -> str:
    account.refresh_from_db(fields=["credits"])
    return services.format_credits(account.credits)


def _check_status(account: SandboxAccount, params: dict[str, str]) -> str:
    return services.message_status(account, params.get("MessageID", ""))


def _send(account: SandboxAccount, params: dict[str, str]) -> str:
    destination = params.get("DestinationAddress", "")
    if not destination.strip():
        raise ApiError(-401, "DestinationAddress is blank")
    options = sending.parse_send_options(params)
    if account.allowed_sources and options.source not in account.allowed_sources:
        raise ApiError(-506, f"{options.source} is not an allowed sender for this account")
    kind = destination.strip().capitalize()
    if kind in ("List", "Group"):
        name = params.get(f"{kind}Name", "")
        sent = sending.send_to_collection(account, kind, name, options)
        if options.bg_id:
            return str(sent.bg_send.pk)
        if sent.refused:
            # The others were sent: the code says only that some entries were not.
            others = "the others were sent" if sent.refused < sent.entries else "none was sent"
            raise ApiError(-400, f"{sent.refused} of {sent.entries} entries failed; {others}")
        return "1"
    answers = sending.send_to_numbers(account, destination, options)
    if len(answers) == 1 and answers[0].startswith("-"):
        # One destination, refused: the whole answer is its code, so it carries the text too.
        raise ApiError(int(answers[0]))
    return ",".join(answers)


def _report(account: SandboxAccount, params: dict[str, str]) -> str:
    return reports.report(account, params)


def _create_user(account: SandboxAccount, params: dict[str, str]) -> str:
    services.create_user(account, params)
    return "1"


def _update_credits(account: SandboxAccount, params: dict[str, str]) -> str:
    services.update_credits(account, params)
    return "1"


def _import_contacts(account: SandboxAccount, params: dict[str, str]) -> str:
    text = params.get("ContactsCSV", "")
    if not text.strip():
        raise ApiError(-507, "ContactsCSV is blank")
    return contacts_csv.import_contacts(
        account,
        text,
        ignore_dupes=params.get("IgnoreDupes", "").strip() == "1",
        overwrite_dupes=params.get("OverwriteDupes", "").strip() == "1",
    )


def _delete_all_contacts(account: SandboxAccount, params: dict[str, str]) -> str:
    services.delete_all_contacts(account)
    return "1"


def _delete_all_groups(account: SandboxAccount, params: dict[str, str]) -> str:
    services.delete_all_groups(account)
    return "1"


def _empty_group(account: SandboxAccount, params: dict[str, str]) -> str:
    services.empty_group(account, params)
    return "1"


def _delete_group(account: SandboxAccount, params: dict[str, str]) -> str:
    services.delete_group(account, params)
    return "1"


def _bg_messages(account: SandboxAccount, params: dict[str, str]) -> str:
    rows = sending.background_messages(account, params.get("BGSendID", ""))
    return json.dumps(rows, separators=(",", ":"))


ACTIONS: dict[str, Callable[[SandboxAccount, dict[str, str]], str]] = {
    "checkcredits": _check_credits,
    "checkmessagestatus": _check_status,
    "send": _send,
    "report": _report,
    "createuser": _create_user,
    "updatecredits": _update_credits,
    "importcontactscsv": _import_contacts,
    "deleteallcontacts": _delete_all_contacts,
    "deleteallgroups": _delete_all_groups,
    "emptygroup": _empty_group,
    "deletegroup": _delete_group,
    "getbgmessages": _bg_messages,
}


def _json_error(error: ApiError) -> HttpResponse:
    body = json.dumps({"error": str(error.code), "message": error.text}, separators=(",", ":"))
    return HttpResponse(body, content_type="application/json")


def _dropped(request: HttpRequest) -> HttpResponse:
    faults.drop_connection(request)
    return HttpResponse(b"", content_type=TEXT)


@csrf_exempt
def api(request: HttpRequest) -> HttpResponse:
    """Every action of the vendor's HTTP API. Never an HTML error page: a code instead."""
    if request.method not in ("GET", "POST"):
        return HttpResponse("-502", content_type=TEXT, status=405)
    workers.request_started()
    try:
        params = read_params(request)
    except BadRequest as exc:
        answer = error_answer(ApiError(-507, str(exc)), {}, always=exc.show_errors)
        return HttpResponse(answer, content_type=TEXT)
    action_name = params.get("Action", "").strip().lower()
    try:
        account = services.authenticate(params.get("Token", ""))
    except ApiError as error:
        return HttpResponse(error_answer(error, params), content_type=TEXT)
    workers.resume_due()
    plan = faults.plan_for(account)
    if plan.latency_before:
        time.sleep(plan.latency_before)
    if plan.drop_before:
        return _dropped(request)
    if plan.http_500:
        return HttpResponse("Internal Server Error", status=500, content_type=TEXT)
    response = _process(account, action_name, params, plan)
    if plan.latency_after:
        time.sleep(plan.latency_after)
    if plan.drop_after:
        return _dropped(request)
    return response


def _process(
    account: SandboxAccount, action_name: str, params: dict[str, str], plan: faults.Plan
) -> HttpResponse:
    action = ACTIONS.get(action_name)
    try:
        if plan.maintenance:
            raise ApiError(-511)
        if plan.db_error:
            raise ApiError(-300)
        if action is None:
            raise ApiError(-502, f"Unknown action {action_name!r}" if action_name else "No Action")
        if any("\x00" in value for key, value in params.items() if key != "ContactsCSV"):
            # No database stores a NUL in text; ContactsCSV refuses such lines one by one.
            raise ApiError(-507, "Parameters must not contain NUL characters")
        body = action(account, params)
    except ApiError as error:
        if action_name == "getbgmessages":
            return _json_error(error)
        return HttpResponse(
            error_answer(error, params, always=action_name == "createuser"), content_type=TEXT
        )
    except DatabaseError:
        logger.exception("sandbox API database error")
        return HttpResponse(error_answer(ApiError(-300), params), content_type=TEXT)
    except Exception:
        logger.exception("sandbox API error")
        return HttpResponse(error_answer(ApiError(-301), params), content_type=TEXT)
    content_type = "application/json" if action_name == "getbgmessages" else TEXT
    return HttpResponse(body, content_type=content_type)
