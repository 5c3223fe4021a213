"""The city's close-out (销号) page: what is confirmed, what the archive lacks, the button.

GET shows the conditions (:func:`dispatch.reductions.closeout.refusals`) and a form with
an optional note at the project version shown; POST closes out in one unit of work, or
shows the page again with the refusal. Projects come through
``visible_accounting_projects`` (404 outside the caller's scope).
"""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from dispatch.access import (
    PLAN_WORKFLOW,
    get_or_404,
    require,
    visible_accounting_projects,
)
from dispatch.core.accounting import POLLUTANT_LABELS, format_t
from dispatch.core.catalog import get_catalog
from dispatch.db import get_session
from dispatch.reductions import closeout, queries
from dispatch.web import uow
from forms.reductions import CloseOutForm
from models import ConfirmationStatus, Project


@require(PLAN_WORKFLOW["close"].permission)
def close(project_id: int) -> Any:
    """Close out a project whose accounting is confirmed and whose archive is complete."""
    session = get_session()
    found: Project = get_or_404(
        session, visible_accounting_projects(current_user), project_id, Project
    )
    catalog = get_catalog()
    if request.method == "POST":
        form = CloseOutForm()
        if form.validate_on_submit():

            def work(s: Any) -> None:
                closeout.close_out(
                    s,
                    uow.acting(),
                    catalog,
                    found,
                    note=form.reason.data,
                    version=form.version.data,
                )

            if uow.run(work, form=form).ok:
                flash("项目已销号", "success")
                return redirect(url_for("reductions.project", project_id=found.id))
    else:
        form = CloseOutForm(version=found.version_id)
    versions = queries.versions(session, current_user, found)
    done, total, missing = closeout.missing_items(session, catalog, found)
    return render_template(
        "reductions/close.html",
        project=found,
        form=form,
        refusals=closeout.refusals(session, catalog, found),
        current=[v for v in versions if v.status == ConfirmationStatus.CURRENT],
        archive_done=done,
        archive_total=total,
        missing=missing,
        closed=closeout.closed_out(session, found),
        labels=POLLUTANT_LABELS,
        format_t=format_t,
    )
