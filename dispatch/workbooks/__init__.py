"""The workbook layer every import and export is built on (it knows no feature).

- :mod:`~dispatch.workbooks.layout`: columns described in data (YAML), key sets passed in;
- :mod:`~dispatch.workbooks.writer`: the streaming writer (xlsxwriter, constant memory);
- :mod:`~dispatch.workbooks.reader`: the guarded open of an upload (openpyxl, read-only);
- :mod:`~dispatch.workbooks.importer`: the importer skeleton (header matching, typed cell
  errors, row limit, all-or-nothing, the audit events of an import);
- :mod:`~dispatch.workbooks.upload`: the upload view flow of every import page.

Downloads stream through :mod:`dispatch.web.downloads`.
"""
