"""Admin area views (skeleton; being filled in)."""

from __future__ import annotations

from flask import Blueprint, render_template_string

from dispatch.access import Permission, require

bp = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates")


@bp.route("/users")
@require(Permission.USERS_MANAGE)
def users():  # type: ignore[no-untyped-def]
    return render_template_string("{% extends 'base.html' %}{% block content %}用户{% endblock %}")


@bp.route("/regions")
@require(Permission.ORGS_MANAGE)
def regions():  # type: ignore[no-untyped-def]
    return render_template_string("{% extends 'base.html' %}{% block content %}区划{% endblock %}")


@bp.route("/enterprises")
@require(Permission.ORGS_MANAGE)
def enterprises():  # type: ignore[no-untyped-def]
    return render_template_string("{% extends 'base.html' %}{% block content %}企业{% endblock %}")


@bp.route("/enterprises/import")
@require(Permission.ORGS_MANAGE)
def import_enterprises():  # type: ignore[no-untyped-def]
    return render_template_string("{% extends 'base.html' %}{% block content %}导入{% endblock %}")
