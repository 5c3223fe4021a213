"""Friendly Chinese error pages; no stack traces, no 500 for bad input."""

from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from dispatch.web.uploads import FileTooLarge

log = logging.getLogger(__name__)

MESSAGES = {
    400: ("请求无效", "提交的数据格式不正确，请返回重试。"),
    403: ("无权访问", "您没有执行此操作的权限。"),
    404: ("页面不存在", "您访问的页面不存在，或不在您的权限范围内。"),
    405: ("请求方式不允许", "该页面不支持此请求方式。"),
    413: ("文件过大", "上传的文件超过了大小限制。"),
    429: ("请求过于频繁", "操作过于频繁，请稍后再试。"),
    500: ("系统错误", "系统处理请求时出错，已记录日志，请稍后重试或联系管理员。"),
}


def _page(code: int, detail: str | None = None):  # type: ignore[no-untyped-def]
    title, message = MESSAGES.get(code, (f"错误 {code}", "请求无法完成。"))
    return render_template(
        "errors/error.html", code=code, title=title, message=detail or message
    ), code


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf(_e: CSRFError):  # type: ignore[no-untyped-def]
        return _page(400, "页面已过期或缺少安全令牌（CSRF），请刷新页面后重新提交。")

    @app.errorhandler(FileTooLarge)
    def _too_large(e: FileTooLarge):  # type: ignore[no-untyped-def]
        # The upload page's script shows the message itself; a plain form gets the page.
        if request.headers.get("X-Requested-With") == "XMLHttpRequest":
            return jsonify(error=e.description), 413
        return _page(413, e.description)

    @app.errorhandler(HTTPException)
    def _http(e: HTTPException):  # type: ignore[no-untyped-def]
        if e.code is not None and e.code < 400:  # routing redirects pass through
            return e
        return _page(e.code or 500)

    @app.errorhandler(Exception)
    def _unexpected(e: Exception):  # type: ignore[no-untyped-def]
        log.exception("unhandled error", exc_info=e)
        return _page(500)
