"""Numbered schema migrations for a workspace, applied in order inside one transaction.

A workspace records the number of the last migration applied (``schema_version`` in
``_onca_meta``). Opening an older workspace applies the missing steps; columns that the data
contract has gained since are added by :func:`sync_contract_columns`. Never edit a released step:
append a new one.
"""

from __future__ import annotations

from collections.abc import Callable

import duckdb

from onca.contract import Contract

Migration = Callable[[duckdb.DuckDBPyConnection, Contract], None]


def _create_table_sql(contract: Contract, name: str) -> str:
    table = contract.table(name)
    cols = ",\n  ".join(f'"{c.name}" {c.sql_type}' for c in table.columns)
    return f'CREATE TABLE IF NOT EXISTS "{name}" (\n  {cols}\n)'


def _v1_contract_tables(con: duckdb.DuckDBPyConnection, contract: Contract) -> None:
    """Version 1: the contract tables and the quarantine."""
    for name in contract.load_order():
        con.execute(_create_table_sql(contract, name))
    con.execute(
        """
        CREATE TABLE IF NOT EXISTS quarantine (
          kind VARCHAR NOT NULL,          -- contract table the row was meant for
          source_file VARCHAR NOT NULL,   -- path as given to ingest
          row_number BIGINT NOT NULL,     -- 1 = first data row after the header
          line BIGINT,                    -- line in a text file (header is line 1)
          original JSON NOT NULL,         -- the row exactly as read, column -> text
          reason VARCHAR NOT NULL,        -- every problem found, separated by '; '
          quarantined_at TIMESTAMP NOT NULL
        )
        """
    )


def _v2_ingest_log_and_lineage(con: duckdb.DuckDBPyConnection, contract: Contract) -> None:
    """Version 2: an ingest log, and every row and quarantined row remembers its ingest."""
    con.execute("CREATE SEQUENCE IF NOT EXISTS ingest_id_seq START 1")
    con.execute(
        """
        CREATE TABLE IF NOT EXISTS ingest_log (
          ingest_id BIGINT PRIMARY KEY,
          kind VARCHAR NOT NULL,
          source_file VARCHAR NOT NULL,
          sha256 VARCHAR NOT NULL,
          file_format VARCHAR NOT NULL,
          rows_in BIGINT NOT NULL,
          loaded BIGINT NOT NULL,       -- inserted + unchanged
          inserted BIGINT NOT NULL,     -- new rows
          unchanged BIGINT NOT NULL,    -- identical rows already in the workspace
          quarantined BIGINT NOT NULL,
          started_at TIMESTAMP NOT NULL,
          finished_at TIMESTAMP NOT NULL,
          onca_version VARCHAR NOT NULL
        )
        """
    )
    for name in contract.load_order():
        con.execute(f'ALTER TABLE "{name}" ADD COLUMN IF NOT EXISTS _ingest_id BIGINT')
    con.execute("ALTER TABLE quarantine ADD COLUMN IF NOT EXISTS ingest_id BIGINT")
    con.execute("ALTER TABLE quarantine ADD COLUMN IF NOT EXISTS sha256 VARCHAR")


def _v3_screening(con: duckdb.DuckDBPyConnection, contract: Contract) -> None:
    """Version 3: screening alerts, the log of screen runs and party risk scores."""
    con.execute("CREATE SEQUENCE IF NOT EXISTS screen_run_seq START 1")
    con.execute(
        """
        CREATE TABLE IF NOT EXISTS alerts (
          alert_id VARCHAR PRIMARY KEY,   -- stable: typology, subject and window hashed
          run_id BIGINT NOT NULL,
          typology_id VARCHAR NOT NULL,
          severity VARCHAR NOT NULL,      -- low | medium | high
          subject_type VARCHAR NOT NULL,  -- party | account | transaction | shipment | permit
          subject_id VARCHAR NOT NULL,
          party_id VARCHAR,               -- the party the alert rolls up to
          window_start TIMESTAMP,
          window_end TIMESTAMP,
          score DOUBLE NOT NULL,          -- 0..1, strength of this red flag
          evidence VARCHAR NOT NULL,      -- the sentence an analyst reads
          details JSON NOT NULL           -- the values behind the sentence
        )
        """
    )
    con.execute(
        """
        CREATE TABLE IF NOT EXISTS screen_runs (
          run_id BIGINT PRIMARY KEY,
          engine VARCHAR NOT NULL,
          started_at TIMESTAMP NOT NULL,
          finished_at TIMESTAMP NOT NULL,
          since TIMESTAMP,
          until TIMESTAMP,
          typologies JSON NOT NULL,
          alerts BIGINT NOT NULL,
          onca_version VARCHAR NOT NULL
        )
        """
    )
    con.execute(
        """
        CREATE TABLE IF NOT EXISTS party_scores (
          party_id VARCHAR PRIMARY KEY,
          score DOUBLE NOT NULL,          -- 1 - prod(1 - weight x score), see docs/screening.md
          alerts BIGINT NOT NULL,
          typologies BIGINT NOT NULL,
          top_typology VARCHAR NOT NULL,
          typology_ids VARCHAR[] NOT NULL
        )
        """
    )


def _v4_entities(con: duckdb.DuckDBPyConnection, contract: Contract) -> None:
    """Version 4: resolved entities, their member records, the explained links between records,
    the log of resolve runs, and screening risk rolled up to entities."""
    con.execute("CREATE SEQUENCE IF NOT EXISTS resolve_run_seq START 1")
    con.execute(
        """
        CREATE TABLE IF NOT EXISTS entities (
          entity_id VARCHAR PRIMARY KEY,  -- 'ENT-' and the smallest member party_id
          run_id BIGINT NOT NULL,
          kind VARCHAR NOT NULL,          -- person | company | organization
          name VARCHAR,                   -- the name most members use (longest on a tie)
          members BIGINT NOT NULL,        -- party records that are this entity
          party_ids VARCHAR[] NOT NULL,
          min_probability DOUBLE          -- weakest link holding the entity together
        )
        """
    )
    con.execute(
        """
        CREATE TABLE IF NOT EXISTS entity_members (
          party_id VARCHAR PRIMARY KEY,
          entity_id VARCHAR NOT NULL,
          run_id BIGINT NOT NULL,
          match_probability DOUBLE,       -- best link to another member; NULL when alone
          quality_flags VARCHAR[] NOT NULL  -- name_empty, birth_date_invalid, ...
        )
        """
    )
    con.execute(
        """
        CREATE TABLE IF NOT EXISTS entity_links (
          left_id VARCHAR NOT NULL,
          right_id VARCHAR NOT NULL,
          run_id BIGINT NOT NULL,
          match_probability DOUBLE NOT NULL,
          match_weight DOUBLE NOT NULL,   -- log2 odds; the sum of the explanation's weights
          explanation JSON NOT NULL,      -- [{comparison, level, weight}, ...]
          PRIMARY KEY (left_id, right_id)
        )
        """
    )
    con.execute(
        """
        CREATE TABLE IF NOT EXISTS resolve_runs (
          run_id BIGINT PRIMARY KEY,
          engine VARCHAR NOT NULL,
          started_at TIMESTAMP NOT NULL,
          finished_at TIMESTAMP NOT NULL,
          threshold DOUBLE NOT NULL,
          records BIGINT NOT NULL,
          compared_pairs BIGINT NOT NULL,
          links BIGINT NOT NULL,
          entities BIGINT NOT NULL,
          duplicate_entities BIGINT NOT NULL,  -- entities with two or more records
          flags JSON NOT NULL,                 -- quality flag -> records
          model JSON NOT NULL,                 -- the trained Splink model
          onca_version VARCHAR NOT NULL
        )
        """
    )
    con.execute(
        """
        CREATE TABLE IF NOT EXISTS entity_scores (
          entity_id VARCHAR PRIMARY KEY,
          score DOUBLE NOT NULL,          -- party_scores' formula over all members' alerts
          alerts BIGINT NOT NULL,
          typologies BIGINT NOT NULL,
          top_typology VARCHAR NOT NULL,
          typology_ids VARCHAR[] NOT NULL
        )
        """
    )


def _v5_network(con: duckdb.DuckDBPyConnection, contract: Contract) -> None:
    """Version 5: the structure of the entity network (communities, brokers, key players) and
    the risk propagated from known offenders, per entity, with the log of analyses."""
    con.execute("CREATE SEQUENCE IF NOT EXISTS network_run_seq START 1")
    con.execute(
        """
        CREATE TABLE IF NOT EXISTS network_runs (
          run_id BIGINT PRIMARY KEY,
          started_at TIMESTAMP NOT NULL,
          finished_at TIMESTAMP NOT NULL,
          entities BIGINT NOT NULL,
          ties BIGINT NOT NULL,
          communities BIGINT NOT NULL,
          modularity DOUBLE NOT NULL,
          seeds BIGINT NOT NULL,             -- known offenders risk was propagated from
          parameters JSON NOT NULL,
          key_players JSON NOT NULL,         -- per suspect community: the removal order
          onca_version VARCHAR NOT NULL
        )
        """
    )
    con.execute(
        """
        CREATE TABLE IF NOT EXISTS network_entities (
          entity_id VARCHAR PRIMARY KEY,
          run_id BIGINT NOT NULL,
          community BIGINT,                  -- 0 = the largest
          community_size BIGINT,
          degree BIGINT NOT NULL,            -- entities it is tied to
          betweenness DOUBLE,                -- 0..1, brokers (see docs/network-structure.md)
          bridging DOUBLE,
          is_cutpoint BOOLEAN,
          key_player_step BIGINT,            -- 1 = arrest first, within its community
          fragmentation_after DOUBLE,        -- the community's fragmentation after that step
          is_seed BOOLEAN NOT NULL,          -- a known offender (seized) or alerted entity
          seed_prior DOUBLE,
          risk DOUBLE,                       -- personalised PageRank from the seeds
          risk_rank BIGINT,                  -- 1 = highest risk per tie among non-seeds
          risk_seed VARCHAR,                 -- the seed its explaining path starts at
          risk_path VARCHAR[]                -- entity ids from that seed to this entity
        )
        """
    )


def _v6_account_scores(con: duckdb.DuckDBPyConnection, contract: Contract) -> None:
    """Version 6: a score for every account (features, family p-values, rank) and every party
    (its accounts' best score and a rank beside its alert risk); see docs/screening.md."""
    families = ("activity", "amounts", "exposure", "structure", "alerts")
    features = (
        "n_txn",
        "n_in",
        "n_out",
        "counterparties",
        "in_usd",
        "out_usd",
        "outlier_payments",
        "mean_log_usd",
        "sd_log_usd",
        "exposed_counterparties",
        "max_in_day",
        "max_out_day",
        "alerted_counterparties",
        "alert_score",
        "alerts",
    )
    columns = ",\n".join(
        [f"p_{f} DOUBLE NOT NULL" for f in families] + [f"{n} DOUBLE NOT NULL" for n in features]
    )
    con.execute(
        f"""
        CREATE TABLE IF NOT EXISTS account_scores (
          account_id VARCHAR PRIMARY KEY,
          holder_id VARCHAR,
          score DOUBLE NOT NULL,          -- (N - rank) / (N - 1): share of accounts ranked below
          rank BIGINT NOT NULL,           -- 1 = first: alerted, then most unusual (or supervised)
          statistic DOUBLE NOT NULL,      -- weighted Fisher X = sum w x (-2 ln p_family)
          {columns},
          reasons VARCHAR NOT NULL,       -- families with p < 0.05, strongest first
          supervised_score DOUBLE,        -- calibrated LightGBM probability (with --labels)
          split VARCHAR                   -- train | calibration | test (with --labels)
        )
        """
    )
    con.execute("ALTER TABLE party_scores ALTER top_typology DROP NOT NULL")
    con.execute("ALTER TABLE party_scores ADD COLUMN IF NOT EXISTS account_score DOUBLE")
    con.execute("ALTER TABLE party_scores ADD COLUMN IF NOT EXISTS supervised_score DOUBLE")
    con.execute("ALTER TABLE party_scores ADD COLUMN IF NOT EXISTS rank BIGINT")
    con.execute("ALTER TABLE screen_runs ADD COLUMN IF NOT EXISTS account_model JSON")


def _v7_cites_tables(con: duckdb.DuckDBPyConnection, contract: Contract) -> None:
    """Version 7: the CITES Trade Database tables (``cites_comptab``, ``cites_shipments``),
    which became contract tables loaded by ingest. A read-only open of an older workspace is
    then told to migrate it, instead of failing on a table it lacks."""
    for name in ("cites_comptab", "cites_shipments"):
        con.execute(_create_table_sql(contract, name))
        con.execute(f'ALTER TABLE "{name}" ADD COLUMN IF NOT EXISTS _ingest_id BIGINT')


MIGRATIONS: tuple[Migration, ...] = (
    _v1_contract_tables,
    _v2_ingest_log_and_lineage,
    _v3_screening,
    _v4_entities,
    _v5_network,
    _v6_account_scores,
    _v7_cites_tables,
)
SCHEMA_VERSION = len(MIGRATIONS)


def sync_contract_columns(con: duckdb.DuckDBPyConnection, contract: Contract) -> list[str]:
    """Add contract columns that the workspace's tables lack; return them as ``table.column``."""
    added = []
    for name in contract.load_order():
        existing = {
            r[0]
            for r in con.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = ?", [name]
            ).fetchall()
        }
        if not existing:
            con.execute(_create_table_sql(contract, name))
            con.execute(f'ALTER TABLE "{name}" ADD COLUMN IF NOT EXISTS _ingest_id BIGINT')
            added.append(f"{name}.*")
            continue
        for col in contract.table(name).columns:
            if col.name not in existing:
                con.execute(f'ALTER TABLE "{name}" ADD COLUMN "{col.name}" {col.sql_type}')
                added.append(f"{name}.{col.name}")
    return added
