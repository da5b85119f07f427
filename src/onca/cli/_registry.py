"""``onca registry``: run and administer the multi-agency seizure and case registry."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from onca.cli._common import err, errors_as_exit, out, print_json
from onca.cli._options import JsonOption

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

app = typer.Typer(
    no_args_is_help=True,
    rich_markup_mode="markdown",
    help="""The cross-border seizure and case registry: a web service an agency or a regional
body runs, where each agency keeps its records and shares what its agreements allow.

First steps (SQLite file by default; **--db postgresql://user@host/db** for PostgreSQL):

    onca registry init
    onca registry agency add PE-SERFOR --name "SERFOR" --country PE --kind wildlife
    onca registry user add ana --agency PE-SERFOR --role admin     # prints her token once
    onca registry serve --port 8000      # console at /console/, API at /openapi.json

Every command takes **--db URL** (or the environment variable ONCA_REGISTRY_DB). Guide:
docs/registry.md.
""",
)
agency_app = typer.Typer(no_args_is_help=True, help="Agencies (police, customs, wildlife, FIU...).")
user_app = typer.Typer(no_args_is_help=True, help="Users and their API tokens.")
agreement_app = typer.Typer(no_args_is_help=True, help="Sharing agreements between agencies.")
alerts_app = typer.Typer(no_args_is_help=True, help="Screening alerts for an agency to triage.")
token_app = typer.Typer(no_args_is_help=True, help="API tokens: issue another, revoke one.")
app.add_typer(agency_app, name="agency")
app.add_typer(user_app, name="user")
app.add_typer(agreement_app, name="agreement")
app.add_typer(alerts_app, name="alerts")
app.add_typer(token_app, name="token")

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="Database URL (postgresql://... or sqlite:///FILE); default"
        " $ONCA_REGISTRY_DB, else sqlite:///onca-registry.db.",
    ),
]


@contextmanager
def _session(db: str | None) -> Iterator[Session]:
    from onca.registry._db import make_engine, migrate, session_factory

    engine = make_engine(db)
    migrate(engine)
    with session_factory(engine)() as session:
        yield session
        session.commit()
    engine.dispose()


@app.command("init")
def init(db: DbOption = None, as_json: JsonOption = False) -> None:
    """Create the registry's tables, or bring them to the latest migration (safe to repeat)."""
    from onca.registry._db import database_url, make_engine, migrate, schema_revision

    with errors_as_exit():
        engine = make_engine(db)
        before = schema_revision(engine)
        migrate(engine)
        after = schema_revision(engine)
    payload = {
        "database": database_url(db).split("@")[-1],
        "schema_before": before,
        "schema": after,
    }
    if as_json:
        print_json(payload)
        return
    out.print(f"registry schema at {after} (was {before or 'empty'}) in {payload['database']}")


@app.command("serve")
def serve(
    db: DbOption = None,
    host: Annotated[
        str, typer.Option(help="Address to listen on (0.0.0.0 for every interface).")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            max=64,
            help="Worker processes. Above 1 needs PostgreSQL: on SQLite the registry serves"
            " with 1 and says so.",
        ),
    ] = 1,
    reports: Annotated[
        Path | None,
        typer.Option(
            help="A folder of HTML reports (onca demo, density, trade) the console lists."
        ),
    ] = None,
    trusted_proxies: Annotated[
        str | None,
        typer.Option(
            help="Addresses of the reverse proxies whose X-Forwarded-For to believe"
            " (comma-separated, e.g. 127.0.0.1); without it the header is ignored."
        ),
    ] = None,
    max_body_mb: Annotated[
        float,
        typer.Option(min=0.01, max=1024, help="Largest request body in MiB (uploads excepted)."),
    ] = 1.0,
    max_upload_mb: Annotated[
        float,
        typer.Option(min=0.01, max=1024, help="Largest bulk-import upload in MiB."),
    ] = 50.0,
) -> None:
    """Serve the registry: the console at /console/, the API (OpenAPI document at /openapi.json),
    the health check at /health. Bodies over the limits are refused (413) before they are read;
    behind a reverse proxy set the same limits there (docs/security.md)."""
    import os

    from onca.registry._db import database_url, make_engine, migrate
    from onca.registry._serve import serve as run_server

    with errors_as_exit():
        url = database_url(db)
        if workers > 1 and url.startswith("sqlite"):
            err.print(
                f"[yellow]warning:[/] --workers {workers}: serving with 1 worker, because the"
                " database is SQLite, one file that one process writes; for several workers"
                " give a PostgreSQL database with --db postgresql://USER@HOST/DB",
                highlight=False,
            )
            workers = 1
        engine = make_engine(url)
        migrate(engine)
        engine.dispose()
    os.environ["ONCA_REGISTRY_DB"] = url
    os.environ["ONCA_REGISTRY_MAX_BODY"] = str(int(max_body_mb * 2**20))
    os.environ["ONCA_REGISTRY_MAX_UPLOAD"] = str(int(max_upload_mb * 2**20))
    if trusted_proxies:
        os.environ["ONCA_REGISTRY_TRUSTED_PROXIES"] = trusted_proxies
    if reports is not None:
        if not reports.is_dir():
            err.print(f"error: --reports {reports}: not a folder")
            raise typer.Exit(2)
        os.environ["ONCA_REGISTRY_REPORTS"] = str(reports.resolve())
    err.print(
        f"Onca registry on http://{host}:{port} (database {url.split('@')[-1]}); Ctrl-C stops it"
    )
    with errors_as_exit():
        try:
            run_server(host, port, workers)
        except OSError as e:
            from onca.errors import ParameterError

            raise ParameterError(f"--host {host} --port {port}: cannot listen there: {e}") from None


@agency_app.command("add")
def agency_add(
    code: Annotated[str, typer.Argument(help="A short code, e.g. PE-SERFOR.")],
    name: Annotated[str, typer.Option(help="The agency's name.")],
    country: Annotated[str, typer.Option(help="ISO 3166-1 alpha-2 country code.")],
    kind: Annotated[str, typer.Option(help="police, customs, wildlife, fiu, prosecutor or ngo.")],
    db: DbOption = None,
) -> None:
    """Add an agency."""
    from onca.registry._admin import add_agency

    with errors_as_exit(), _session(db) as session:
        agency = add_agency(session, code, name, country.upper(), kind)
    out.print(f"added agency {agency.code} ({agency.name}, {agency.country}, {agency.kind})")


@user_app.command("add")
def user_add(
    username: Annotated[str, typer.Argument(help="The user's name (unique).")],
    agency: Annotated[str, typer.Option(help="The code of the user's agency.")],
    role: Annotated[str, typer.Option(help="viewer, analyst, editor or admin.")] = "analyst",
    scope: Annotated[
        list[str] | None,
        typer.Option("--scope", help="Token scopes: read, write, admin (default all)."),
    ] = None,
    days: Annotated[
        int | None, typer.Option(min=1, help="The token expires after this many days.")
    ] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Add a user and print their API token. The token is shown once: only its hash is kept."""
    from onca.registry._admin import add_user
    from onca.registry._auth import SCOPES

    with errors_as_exit(), _session(db) as session:
        made = add_user(session, agency, username, role, tuple(scope or SCOPES), days)
    if as_json:
        print_json({"user": username, "agency": agency, "role": role, "token": made.token})
        return
    out.print(f"added {username} ({role}, {agency}). Their token, shown this once:")
    out.print(made.token, highlight=False)


@agreement_app.command("add")
def agreement_add(
    grantor: Annotated[str, typer.Argument(help="The agency that shares (code).")],
    grantee: Annotated[str, typer.Argument(help="The agency that is granted access (code).")],
    kind: Annotated[str, typer.Option(help="Record kind shared: seizure, person, case or note.")],
    field: Annotated[
        list[str] | None,
        typer.Option("--field", help="A field shared (repeat); default every field."),
    ] = None,
    valid_from: Annotated[
        str | None, typer.Option(help="First day in force (YYYY-MM-DD); default today.")
    ] = None,
    valid_until: Annotated[
        str | None, typer.Option(help="Last day in force (YYYY-MM-DD); default open.")
    ] = None,
    db: DbOption = None,
) -> None:
    """Let GRANTEE see GRANTOR's records of one kind (e.g. seizures without the persons named)."""
    from onca.registry._admin import add_agreement_cli

    with errors_as_exit(), _session(db) as session:
        a = add_agreement_cli(session, grantor, grantee, kind, field, valid_from, valid_until)
    shared = ", ".join(field) if field else "every field"
    out.print(
        f"agreement {a.id}: {grantor} shares its {kind} records ({shared}) with {grantee}"
        f" from {a.valid_from} until {a.valid_until or 'further notice'}"
    )


@app.command("verify-audit")
def verify_audit(
    db: DbOption = None,
    head: Annotated[
        Path | None,
        typer.Option(
            help="A head exported by onca registry audit-head: the chain must still"
            " hold that link, unchanged."
        ),
    ] = None,
    key_file: Annotated[
        Path | None,
        typer.Option(
            help="The audit key (default $ONCA_REGISTRY_AUDIT_KEY_FILE); needed for keyed links."
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Check the audit log's hash chain and the agreements and users against it; name the
    first broken link and every record changed outside the registry (exit code 1 if any)."""
    import json

    from onca.errors import ParameterError
    from onca.registry._audit import load_key, verify, verify_records

    with errors_as_exit():
        exported = None
        if head is not None:
            try:
                exported = json.loads(head.read_text(encoding="utf-8"))
                exported = {"seq": int(exported["seq"]), "hash": str(exported["hash"])}
            except (OSError, ValueError, KeyError, TypeError) as e:
                raise ParameterError(
                    f"--head {head}: not a head from onca registry audit-head ({e})"
                ) from None
        key = load_key(key_file)
        with _session(db) as session:
            check = verify(session, key=key, head=exported)
            records = verify_records(session)
    if as_json:
        print_json(
            {
                "ok": check.ok and not records,
                "links": check.links,
                "keyed_links": check.keyed,
                "broken_at": check.broken_at,
                "reason": check.reason,
                "records": records,
            }
        )
    else:
        if check.ok:
            pinned = f", link {exported['seq']} matches the exported head" if exported else ""
            out.print(
                f"audit chain intact: {check.links:,} links verified ({check.keyed:,} keyed){pinned}"
            )
        else:
            err.print(f"audit chain BROKEN at link {check.broken_at}: {check.reason}")
        for problem in records:
            err.print(f"changed outside the registry: {problem}")
    if not check.ok or records:
        raise typer.Exit(1)


@app.command("audit-head")
def audit_head(
    db: DbOption = None,
    out_file: Annotated[
        Path | None, typer.Option("--out", help="Write it here (else printed).")
    ] = None,
) -> None:
    """Export the audit chain's last link (number and hash). Keep it outside the database (a
    partner, a signed message): verify-audit --head then proves the chain up to it unchanged."""
    import json

    from onca.registry._audit import export_head

    with errors_as_exit(), _session(db) as session:
        head = export_head(session)
    text = json.dumps(head, indent=2)
    if out_file is None:
        print(text)
    else:
        out_file.write_text(text + "\n", encoding="utf-8")
        err.print(f"audit head (link {head['seq']}) written to {out_file}")


@app.command("audit-key")
def audit_key(
    path: Annotated[Path, typer.Argument(help="The key file to create (never overwritten).")],
) -> None:
    """Make a new audit key file (mode 600). Serve with ONCA_REGISTRY_AUDIT_KEY_FILE=PATH and
    keep a copy off the database server: links written with it cannot be forged without it."""
    from onca.errors import ParameterError
    from onca.registry._audit import make_key

    with errors_as_exit():
        try:
            make_key(path)
        except FileExistsError:
            raise ParameterError(f"{path}: exists already; a key is never overwritten") from None
        except OSError as e:
            raise ParameterError(f"{path}: cannot be written ({e.strerror})") from None
    err.print(f"audit key written to {path}; serve with ONCA_REGISTRY_AUDIT_KEY_FILE={path}")


@alerts_app.command("import")
def alerts_import(
    workspace: Annotated[Path, typer.Argument(help="A screened Onca workspace (DuckDB file).")],
    agency: Annotated[str, typer.Option(help="The agency that triages them (code).")],
    min_score: Annotated[
        float, typer.Option(min=0, max=1, help="Only alerts scoring at least this.")
    ] = 0.0,
    limit: Annotated[
        int | None, typer.Option(min=1, help="At most this many (highest scores first).")
    ] = None,
    db: DbOption = None,
) -> None:
    """Give a workspace's screening alerts to an agency for triage in the console or the API."""
    from onca.registry._admin import agency_by_code
    from onca.registry._alerts import import_alerts

    with errors_as_exit(), _session(db) as session:
        counts = import_alerts(
            session, agency_by_code(session, agency), workspace, min_score=min_score, limit=limit
        )
    out.print(
        f"{counts['imported']:,} alerts imported for {agency} ({counts['already_there']:,} were there already)"
    )


@app.command("import")
def import_file(
    file: Annotated[
        Path, typer.Argument(help="A CSV or XLSX, one seizure a row (docs/registry.md).")
    ],
    agency: Annotated[str, typer.Option(help="The agency whose seizures these are (code).")],
    user: Annotated[
        str, typer.Option(help="Who imports: an editor or admin of the agency (audited).")
    ],
    rejects: Annotated[
        Path | None,
        typer.Option(help="Write the rejected rows here as CSV (line, field, message)."),
    ] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Bulk-import seizures as the API and the console do: every row checked, all written in
    one transaction or none. Prints the counts and each rejected row; exit code 1 if rejected."""
    from onca.errors import ParameterError
    from onca.registry._admin import user_by_name
    from onca.registry._auth import principal_of
    from onca.registry._guard import body_limit
    from onca.registry._import_report import rejects_csv, tally
    from onca.registry._imports import import_seizures

    with errors_as_exit():
        try:
            size = file.stat().st_size
        except OSError as e:
            raise ParameterError(f"FILE {file}: cannot be read ({e.strerror})") from None
        limit = body_limit("/imports/seizures")  # the service's upload limit, the same here
        if size > limit:
            raise ParameterError(f"FILE {file}: {size:,} bytes; at most {limit:,} per import")
        with _session(db) as session:
            who = user_by_name(session, user)
            if who.agency.code != agency or not who.active:
                raise ParameterError(
                    f"--user {user}: not an active user of {agency}"
                    f" (a user of {who.agency.code}{'' if who.active else ', deactivated'})"
                )
            report = import_seizures(session, principal_of(who), file.read_bytes(), file.name)
            if report["status"] != "imported":
                session.rollback()
    if rejects is not None:
        rejects.write_text(rejects_csv(report), encoding="utf-8")
    counts = tally(report)
    if as_json:
        print_json(report)
    else:
        out.print(
            f"{file.name}: {counts.rows:,} rows, {counts.checked:,} check, {counts.rejected:,}"
            f" rejected; {counts.imported:,} seizures imported for {agency}",
            highlight=False,
        )
        if counts.rejected:
            err.print("nothing imported: a file is imported whole or not at all", highlight=False)
        for p in report["problems"]:
            err.print(f"  line {p['line']}, {p['field']}: {p['message']}", highlight=False)
        if counts.listed < counts.problems:
            err.print(f"  (the first {counts.listed:,} of {counts.problems:,} problems)")
        if rejects is not None:
            err.print(f"rejected rows written to {rejects}")
    if report["status"] != "imported":
        raise typer.Exit(1)


@token_app.command("add")
def token_add(
    username: Annotated[str, typer.Argument(help="The user the token is for.")],
    scope: Annotated[
        list[str] | None, typer.Option("--scope", help="read, write, admin (default all).")
    ] = None,
    days: Annotated[
        int | None, typer.Option(min=1, help="The token expires after this many days.")
    ] = None,
    db: DbOption = None,
) -> None:
    """Issue another token for a user and print it (shown once)."""
    from onca.registry._admin import add_token
    from onca.registry._auth import SCOPES

    with errors_as_exit(), _session(db) as session:
        token = add_token(session, username, tuple(scope or SCOPES), days)
    out.print(token, highlight=False)


@token_app.command("revoke")
def token_revoke(
    token_id: Annotated[
        str, typer.Argument(help="The token's id: the part between onca_ and the next _.")
    ],
    db: DbOption = None,
) -> None:
    """Revoke a token; running servers stop taking it within a minute (their cache)."""
    from onca.registry._admin import revoke_token

    with errors_as_exit(), _session(db) as session:
        revoke_token(session, token_id)
    out.print(f"token {token_id} revoked")


@user_app.command("deactivate")
def user_deactivate(username: Annotated[str, typer.Argument()], db: DbOption = None) -> None:
    """Stop a user's tokens working (within a minute); their records stay."""
    from onca.registry._admin import set_active

    with errors_as_exit(), _session(db) as session:
        set_active(session, username, False)
    out.print(f"{username} deactivated")


@user_app.command("activate")
def user_activate(username: Annotated[str, typer.Argument()], db: DbOption = None) -> None:
    """Let a deactivated user's tokens work again."""
    from onca.registry._admin import set_active

    with errors_as_exit(), _session(db) as session:
        set_active(session, username, True)
    out.print(f"{username} activated")
