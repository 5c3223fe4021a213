"""Reading pages as a browser would: the forms on a page and the messages shown to the user.

:func:`find_form` learns a form's field names, the values the page filled in and a
select's options from the HTML (so the fuzzer posts exactly what a browser can post, and a
field added to a template is fuzzed without touching this suite). :func:`messages` collects
what the user is told: flashed alerts, field errors, error texts and the rows of an import's
error list. :func:`check_messages` is the property every refusal must have;
:func:`field_error_problems` the one of every field the page marks as refused: its
message names it.
"""

from __future__ import annotations

import dataclasses
import re
from urllib.parse import urljoin, urlsplit

import lxml.html

CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
# Three English words in a row: a library's default message ("Not a valid integer value").
ENGLISH = re.compile(r"[A-Za-z]{2,}(?:\s+[A-Za-z]{2,}){2,}")
# Quoted input inside a message is the user's, not the message's.
QUOTED = re.compile(r"“[^”]*”|\"[^\"]*\"|「[^」]*」")
# A message names the problem and the field; it never carries a pasted novel back.
MAX_MESSAGE = 500

# The review comment is stored data shown in an alert box, not a message about this request.
_MESSAGE_XPATH = " | ".join(
    f"//*[contains(concat(' ', normalize-space(@class), ' '), ' {cls} ')]"
    "[not(@data-testid='review-comment')]"
    for cls in ("alert", "invalid-feedback", "text-danger")
)


@dataclasses.dataclass(frozen=True)
class Field:
    """One named control of a form: its kind, the value the page shows, a select's options."""

    name: str
    kind: str  # text, hidden, password, date, checkbox, file, select, textarea, ...
    value: str
    options: tuple[str, ...] = ()


@dataclasses.dataclass(frozen=True)
class Form:
    """A form as the browser submits it: to ``url`` with ``method``."""

    url: str
    method: str
    fields: dict[str, Field]

    def values(self) -> dict[str, str]:
        """What submitting the form untouched sends (unchecked boxes and files left out)."""
        return {
            name: f.value
            for name, f in self.fields.items()
            if f.kind not in ("file", "checkbox") or (f.kind == "checkbox" and f.value)
        }


def _target(page_url: str, action: str | None) -> str:
    parts = urlsplit(urljoin(page_url, action or page_url))
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _field(element: lxml.html.HtmlElement) -> Field:
    tag = element.tag
    if tag == "select":
        items = list(element.iter("option"))
        options = tuple(o.get("value", o.text_content()) for o in items)
        chosen = [v for v, o in zip(options, items, strict=True) if o.get("selected") is not None]
        value = chosen[0] if chosen else (options[0] if options else "")
        return Field(element.get("name"), "select", value, options)
    if tag == "textarea":
        # A browser drops the newline that starts a textarea's content (WTForms writes one).
        text = (element.text or "").removeprefix("\r\n").removeprefix("\n")
        return Field(element.get("name"), "textarea", text)
    kind = (element.get("type") or "text").lower()
    if kind == "checkbox":
        checked = element.get("checked") is not None
        return Field(element.get("name"), kind, element.get("value", "on") if checked else "")
    return Field(element.get("name"), kind, element.get("value") or "")


def forms(html: str, page_url: str) -> list[Form]:
    """Every form of the page, with its named controls (buttons left out)."""
    doc = lxml.html.fromstring(html)
    found = []
    for form in doc.iter("form"):
        fields = {}
        for element in form.xpath(".//input | .//select | .//textarea"):
            if not element.get("name") or (element.get("type") or "").lower() in (
                "submit",
                "button",
                "reset",
                "image",
            ):
                continue
            fields[element.get("name")] = _field(element)
        method = (form.get("method") or "get").lower()
        found.append(Form(_target(page_url, form.get("action")), method, fields))
    return found


def find_form(html: str, page_url: str, target: str, method: str) -> Form | None:
    """The form of the page that submits to ``target`` (path and query) with ``method``."""
    wanted = urlsplit(target)
    for form in forms(html, page_url):
        got = urlsplit(form.url)
        same_query = not wanted.query or got.query == wanted.query
        if form.method == method.lower() and got.path == wanted.path and same_query:
            return form
    return None


def messages(html: str) -> list[str]:
    """What the page tells the user: alerts (flashes, form errors), field errors, error
    texts, each row of an import's error list, and the text of an error page."""
    doc = lxml.html.fromstring(html)
    found = [" ".join(e.text_content().split()) for e in doc.xpath(_MESSAGE_XPATH)]
    for row in doc.xpath("//*[@data-testid='import-errors']//tbody/tr"):
        cells = row.xpath("./td")
        if cells:
            found.append(" ".join(cells[-1].text_content().split()))
    for lead in doc.xpath("//main//p[contains(concat(' ', @class, ' '), ' lead ')]"):
        found.append(" ".join(lead.text_content().split()))
    return [m for m in found if m]


def problems(found: list[str]) -> list[str]:
    """Why each message falls short: not Chinese, an English phrase, or too long."""
    bad = []
    for message in found:
        if not CJK.search(message):
            bad.append(f"not Chinese: {message[:120]!r}")
        elif ENGLISH.search(QUOTED.sub("", message)):
            bad.append(f"English in a Chinese message: {message[:120]!r}")
        if len(message) > MAX_MESSAGE:
            bad.append(f"a message of {len(message)} characters (echoes the input?)")
    return bad


def _field_name(doc: lxml.html.HtmlElement, control: lxml.html.HtmlElement) -> str | None:
    """What the page calls a control: its ``<label for>``, or in a table of list lines
    (the project form's material and fleet lines) its column header."""
    control_id = control.get("id")
    if control_id:
        for label in doc.xpath("//label[@for=$id]", id=control_id):
            return " ".join(label.text_content().split())
    cell = next(iter(control.xpath("ancestor::td[1]")), None)
    if cell is None:
        return None
    column = len(cell.xpath("preceding-sibling::td"))
    headers = cell.xpath("ancestor::table[1]/thead/tr[1]/th")
    return " ".join(headers[column].text_content().split()) if column < len(headers) else None


_FEEDBACK = ".//*[contains(concat(' ', normalize-space(@class), ' '), ' invalid-feedback ')]"


def _feedback(control: lxml.html.HtmlElement) -> list[str]:
    """The messages shown with a control: in its container (the field's block, a table
    cell), or the one around it (a check box sits in its own ``form-check`` div)."""
    container = control.getparent()
    for _level in range(2):
        if container is None:
            break
        found = [" ".join(e.text_content().split()) for e in container.xpath(_FEEDBACK)]
        if found:
            return found
        container = container.getparent()
    return []


def field_error_problems(html: str) -> list[str]:
    """Why a field the page marks as refused (``is-invalid``) is not told apart: it shows
    no message, a message that does not name the field, or the name twice
    ("项目名称：项目名称过长")."""
    doc = lxml.html.fromstring(html)
    bad = []
    for control in doc.xpath(
        "//*[contains(concat(' ', normalize-space(@class), ' '), ' is-invalid ')]"
    ):
        name = _field_name(doc, control)
        field = control.get("name")
        if not name:
            bad.append(f"refused field {field!r} has no label or column header")
            continue
        shown = _feedback(control)
        if not shown:
            bad.append(f"refused field {name} ({field}) shows no message")
        for message in shown:
            if name not in message:
                bad.append(f"the message of {name} ({field}) does not name it: {message[:120]!r}")
            elif message.startswith(f"{name}：") and name in message[len(name) + 1 :]:
                bad.append(f"the message of {name} ({field}) names it twice: {message[:120]!r}")
    return bad


def check_messages(html: str, *, refusal: bool, where: str) -> None:
    """Every message Chinese, none huge; a refusal must show at least one, and every field
    marked as refused a message that names it."""
    found = messages(html)
    assert not refusal or found, f"{where}: refused without any message"
    bad = problems(found) + field_error_problems(html)
    assert not bad, f"{where}: " + "; ".join(bad)
