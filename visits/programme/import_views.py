"""Import a programme from a spreadsheet (a dry run first, then confirm) and export it as CSV.

The confirm step does not trust the preview: the rows come back in a hidden field and are checked again
against the programme as it is now, so a file that became invalid meanwhile (someone booked the same person)
is refused with its errors, and nothing is written."""
from __future__ import annotations

from flask import Response, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from .. import audit
from ..extensions import db
from ..models import Review
from ..permissions import can_export_programme, can_import_programme
from .blueprint import bp
from .context import review_for
from .importer import (
    COLUMNS, ImportFileError, ImportPlan, apply_plan, export_rows, plan_import, programme_visits, read_table,
    template_csv, title_for, title_warnings, to_csv,
)
from .presenters import title_checker


def _import_page(review: Review, plan: ImportPlan | None = None, file_error: str = "", payload: str = "",
                 filename: str = "", status: int = 200):
    named, named_count = title_warnings(plan, title_checker(review.id)) if plan and plan.is_valid else ([], 0)
    return render_template("programme/import.html", review=review, plan=plan, file_error=file_error,
                           payload=payload, filename=filename, columns=COLUMNS, title_for=title_for,
                           errors_by_row=plan.errors_by_row() if plan else {}, named_titles=named,
                           named_count=named_count), status


@bp.get("/programme/import")
@login_required
def import_programme():
    return _import_page(review_for(can_import_programme))


@bp.post("/programme/import")
@login_required
def preview_import():
    """The dry run: read and check the whole file, write nothing."""
    review = review_for(can_import_programme)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return _import_page(review, file_error=_("Choose a file to import."), status=400)
    limit = current_app.config["IMPORT_MAX_BYTES"]
    content = upload.read(limit + 1)
    if len(content) > limit:
        return _import_page(review, file_error=_("The file is larger than %(size)s kB.", size=limit // 1000),
                            filename=upload.filename, status=400)
    try:
        rows = read_table(upload.filename, content, current_app.config["IMPORT_MAX_ROWS"])
    except ImportFileError as error:
        return _import_page(review, file_error=str(error), filename=upload.filename, status=400)
    plan = plan_import(review, rows)
    if not plan.visits and not plan.errors:
        return _import_page(review, file_error=_("The file has a header row but no visits."),
                            filename=upload.filename, status=400)
    # The rows as CSV, carried to the confirm step: the same reader checks them again there.
    payload = to_csv([{column: cells.get(column, "") for column in COLUMNS} for _number, cells in rows])
    if len(payload.encode("utf-8")) > current_app.config["MAX_FORM_MEMORY_SIZE"]:
        # Said now, not at the confirm step: the checked rows must fit in the form that confirms them.
        return _import_page(review, file_error=_("This file holds more text than one import can carry; split it "
                                                 "into smaller files."), filename=upload.filename, status=400)
    return _import_page(review, plan, payload=payload if plan.is_valid else "", filename=upload.filename,
                        status=200 if plan.is_valid else 400)


@bp.post("/programme/import/confirm")
@login_required
def confirm_import():
    review = review_for(can_import_programme)
    payload = request.form.get("payload", "")
    filename = request.form.get("filename", "")
    try:
        rows = read_table("confirmed.csv", payload.encode("utf-8"), current_app.config["IMPORT_MAX_ROWS"])
    except ImportFileError as error:
        return _import_page(review, file_error=str(error), status=400)
    plan = plan_import(review, rows)
    if not plan.is_valid:
        return _import_page(review, plan, filename=filename, status=400)
    visits = apply_plan(review, current_user, plan)
    audit.record(current_user, "import", "programme", review.id, review.id, filename=filename[:200],
                 visits=len(visits))
    db.session.commit()
    return redirect(url_for("programme.programme", review=review.id, imported=len(visits)))


@bp.get("/programme/import/template.csv")
@login_required
def import_template():
    review_for(can_import_programme)
    return Response(template_csv(), mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="programme-template.csv"'})


@bp.get("/export/programme.csv")
@login_required
def export_programme():
    review = review_for(can_export_programme)
    visits = programme_visits(review)
    # The file names service users: its download is a read of their records.
    audit.record(current_user, "export", "programme", review.id, review.id, visits=len(visits))
    db.session.commit()
    filename = f"programme-{review.id}.csv"
    # A UTF-8 BOM so Excel opens Welsh and other accented names correctly.
    return Response("\ufeff" + to_csv(export_rows(review, visits)), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})
