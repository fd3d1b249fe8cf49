"""Console script `shiftgate`: composes the command groups. The callback builds the settings
once; every command takes them from the context (:func:`gateway.cli.context.settings_of`)."""

from __future__ import annotations

import typer

from gateway.cli import (
    attendance_cmd,
    config_cmd,
    db_cmd,
    demo_cmd,
    devices_cmd,
    doctor_cmd,
    drivers_cmd,
    import_cmd,
    payroll_cmd,
    people_cmd,
    punches_cmd,
    risk_cmd,
    roster_cmd,
    serve_cmd,
    simulate_cmd,
    users_cmd,
)
from gateway.cli.context import load_settings

app = typer.Typer(
    name="shiftgate",
    help="shiftgate: attendance-device gateway, HR store, attendance and roster solver.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.callback()(load_settings)
app.add_typer(drivers_cmd.app, name="drivers")
app.add_typer(db_cmd.app, name="db")
app.add_typer(punches_cmd.app, name="punches")
app.add_typer(devices_cmd.app, name="devices")
app.add_typer(simulate_cmd.app, name="simulate")
app.add_typer(roster_cmd.app, name="roster")
app.add_typer(attendance_cmd.app, name="attendance")
app.add_typer(config_cmd.app, name="config")
app.add_typer(people_cmd.app, name="people")
app.add_typer(risk_cmd.app, name="risk")
app.add_typer(users_cmd.app, name="users")
app.add_typer(payroll_cmd.app, name="payroll")

# Top-level commands (demo, doctor, serve) are registered by their modules below.
app.command("demo")(demo_cmd.demo)
app.command("serve")(serve_cmd.serve)
app.command("doctor")(doctor_cmd.doctor)
app.command("import")(import_cmd.import_table)


if __name__ == "__main__":
    app()
