"""The ``dispatch`` command line: one click group per area, registered here."""

from __future__ import annotations

import click

from dispatch.cli import (
    account,
    audit,
    backup,
    catalog,
    db,
    evidence,
    export,
    export_package,
    server,
    users,
)


@click.group(help="减排调度：重点减排工程调度系统")
def main() -> None:
    pass


main.add_command(db.db)
main.add_command(users.user)
main.add_command(server.demo)
main.add_command(server.serve)
main.add_command(audit.audit)
main.add_command(catalog.catalog_cli)
main.add_command(account.account_cli)
main.add_command(export.export)
main.add_command(evidence.evidence)
main.add_command(backup.backup)
# The evidence archive is one more export, defined with the evidence commands.
export.export.add_command(evidence.export_archive)
# The yearly package combines every export (dispatch.exports.package).
export.export.add_command(export_package.package)
