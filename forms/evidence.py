"""Evidence forms: files for a checklist item, a new version of a file, a review verdict.

The files themselves are judged by ``dispatch.evidence.services`` (sniffed from their
bytes, checked against the item's formats and size limit); the forms only make sure some
file was chosen, and keep the note, the reason and the report choice clean. The report
choices (the project's progress reports the user may see) are passed in by the view.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask_wtf.file import FileField, MultipleFileField
from werkzeug.datastructures import FileStorage
from wtforms import Field, SelectField
from wtforms.validators import ValidationError

from forms import Form, choices
from forms.fields import CleanTextArea, VersionField

# As dispatch.evidence.services (forms may not import services).
NOTE_MAX = 500
REASON_MAX = 2000
# Files in one request: the page's picker takes several, not a whole directory.
MAX_FILES = 20
DECISIONS = [("accept", "合格"), ("reject", "不合格")]


def chosen_files(data: Any) -> list[FileStorage]:
    """The files a file field received; a browser sends an empty part when none was chosen."""
    items = data if isinstance(data, list) else [data]
    return [f for f in items if isinstance(f, FileStorage) and f.filename]


class UploadForm(Form):
    """One or several files for one checklist item, optionally for a progress report."""

    files = MultipleFileField("文件")
    note = CleanTextArea("说明", max_length=NOTE_MAX, render_kw={"rows": 1})
    report_id = SelectField("所属月度填报", validate_choice=False)

    def __init__(self, *args: Any, reports: Sequence[tuple[int, str]] = (), **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.report_id.choices = choices(
            [("", "不关联月度填报"), *((str(i), label) for i, label in reports)]
        )

    def validate_files(self, field: Field) -> None:
        found = chosen_files(field.data)
        if not found:
            raise ValidationError("请选择要上传的文件")
        if len(found) > MAX_FILES:
            raise ValidationError(f"一次最多上传 {MAX_FILES} 个文件，请分批上传")

    def validate_report_id(self, field: Field) -> None:
        if field.data in (None, ""):
            return
        if field.data not in {str(c.value) for c in field.choices}:  # type: ignore[attr-defined]
            raise ValidationError("所属月度填报无效，请重新选择")

    @property
    def report(self) -> int | None:
        return int(self.report_id.data) if self.report_id.data else None


class ReplaceForm(Form):
    """A new version of a file, at the version of the row the page showed."""

    version = VersionField("版本")
    file = FileField("新版本文件")
    note = CleanTextArea("说明", max_length=NOTE_MAX, render_kw={"rows": 1})

    def validate_file(self, field: Field) -> None:
        if not chosen_files(field.data):
            raise ValidationError("请选择新版本文件")


class ReviewForm(Form):
    """The district's pre-review or the city's review: 合格, or 不合格 with a reason."""

    version = VersionField("版本")
    decision = SelectField("审核结论", choices=choices(DECISIONS), validate_choice=False)
    reason = CleanTextArea("原因", max_length=REASON_MAX, render_kw={"rows": 1})

    def validate_decision(self, field: Field) -> None:
        if field.data not in {value for value, _label in DECISIONS}:
            raise ValidationError("审核结论无效，请选择合格或不合格")

    def validate_reason(self, field: Field) -> None:
        # The service says the same; here the field keeps what was typed with the message.
        if self.decision.data == "reject" and not (field.data or "").strip():
            raise ValidationError("判定不合格必须填写原因")

    @property
    def accepted(self) -> bool:
        return self.decision.data == "accept"
