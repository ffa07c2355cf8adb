"""Read-only SQL: what is answered, what is refused (and named), and that DuckDB itself cannot reach a file even
when the statement never went through the parser."""

import duckdb
import pytest

from dongne.lake.errors import QueryError
from dongne.lake.query import run_sql, sql_connection

from .test_query import REGIONS, make_rows, write_visits


@pytest.fixture
def rows():
    return make_rows()


@pytest.fixture
def tables(tmp_path, rows):
    regions = [{"번호": i, "시군구": name} for i, name in enumerate(REGIONS)]
    return {
        "관광": write_visits(tmp_path / "visits", rows),
        "visits_copy": write_visits(tmp_path / "copy", rows[:10], files=1),
        "지역": _write(tmp_path / "regions.parquet", regions),
    }


def _write(path, records):
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.Table.from_pylist(records), path)
    return [str(path)]


def test_group_by_over_a_registered_table(tables, rows):
    result = run_sql(
        tables,
        "SELECT 시군구, count(*) AS n, sum(방문객수) AS 합계 FROM 관광 "
        "WHERE 시군구 IS NOT NULL GROUP BY 시군구 ORDER BY 시군구",
    )
    assert [c["name"] for c in result.columns] == ["시군구", "n", "합계"]
    assert result.columns[1]["type"] == "int64"
    expected = {
        k: (sum(r["시군구"] == k for r in rows), sum(r["방문객수"] or 0 for r in rows if r["시군구"] == k))
        for k in REGIONS
    }
    assert {r["시군구"]: (r["n"], r["합계"]) for r in result.rows} == expected
    assert [r["시군구"] for r in result.rows] == sorted(REGIONS)
    assert result.truncated is False


def test_joins_ctes_and_unions_of_registered_tables(tables):
    sql = """
        WITH 큰 AS (SELECT * FROM 관광 WHERE 방문객수 > 2500)
        SELECT 지역.번호, count(*) AS n FROM 큰 JOIN 지역 ON 큰.시군구 = 지역.시군구 GROUP BY ALL
        UNION ALL
        SELECT -1, count(*) FROM visits_copy
        ORDER BY 1
    """
    result = run_sql(tables, sql)
    assert result.rows[0] == {"번호": -1, "n": 10}
    assert [r["번호"] for r in result.rows[1:]] == list(range(len(REGIONS)))


def test_duckdb_friendly_syntax_is_accepted(tables):
    assert run_sql(tables, "FROM 관광 SELECT count(*) AS n;").rows == [{"n": 300}]
    assert run_sql(tables, 'SELECT "시군구" FROM "관광" LIMIT 1').total == 1


def test_rows_are_limited_and_truncation_reported(tables):
    result = run_sql(tables, "SELECT * FROM 관광 ORDER BY 번호", max_rows=25)
    assert [r["번호"] for r in result.rows] == list(range(1, 26))
    assert result.truncated is True
    assert result.total == 25
    exact = run_sql(tables, "SELECT * FROM 관광 WHERE 번호 <= 25", max_rows=25)
    assert exact.truncated is False and exact.total == 25


def test_duplicate_output_names_stay_distinct(tables):
    result = run_sql(tables, "SELECT 번호, 번호 FROM 관광 ORDER BY 번호 LIMIT 1")
    assert result.rows == [{"번호": 1, "번호_2": 1}]


REFUSED = [
    # (sql, code, param)
    ("", "syntax_error", "sql"),
    ("SELEC 1", "syntax_error", "1"),
    ("SELECT * FROM 관광 WHERE", "syntax_error", None),
    ("SELECT 1; SELECT 2", "multiple_statements", "SELECT"),
    ("SELECT * FROM 관광; DROP TABLE 관광", "multiple_statements", "DROP"),
    ("DROP TABLE 관광", "not_select", "DROP"),
    ("DELETE FROM 관광", "not_select", "DELETE"),
    ("INSERT INTO 관광 VALUES (1)", "not_select", "INSERT"),
    ("UPDATE 관광 SET 방문객수 = 0", "not_select", "UPDATE"),
    ("CREATE TABLE x AS SELECT * FROM 관광", "not_select", "CREATE"),
    ("PRAGMA database_list", "not_select", "PRAGMA"),
    ("ATTACH '/tmp/x.db' AS x", "not_select", "ATTACH"),
    ("COPY 관광 TO '/tmp/out.csv'", "not_select", "COPY"),
    ("SET enable_external_access = true", "not_select", "SET"),
    ("CALL pragma_version()", "not_select", "CALL"),
    ("EXPORT DATABASE '/tmp/dump'", "not_select", "EXPORT"),
    ("INSTALL httpfs", "not_select", "INSTALL"),
    ("LOAD httpfs", "not_select", "LOAD"),
    ("DESCRIBE 관광", "not_select", "DESCRIBE"),
    ("CHECKPOINT", "not_select", "CHECKPOINT"),
    ("SELECT * INTO 새표 FROM 관광", "not_select", "INTO"),
    ("SELECT * FROM read_csv('/etc/passwd')", "forbidden_function", "read_csv"),
    ("SELECT * FROM read_csv_auto('/etc/passwd')", "forbidden_function", "read_csv_auto"),
    ("SELECT * FROM read_parquet('/tmp/*.parquet')", "forbidden_function", "read_parquet"),
    ("SELECT * FROM read_json('/tmp/x.json')", "forbidden_function", "read_json"),
    ("SELECT * FROM parquet_scan('/tmp/x.parquet')", "forbidden_function", "parquet_scan"),
    ("SELECT * FROM glob('/etc/*')", "forbidden_function", "glob"),
    ("SELECT * FROM sqlite_scan('/tmp/x.db', 't')", "forbidden_function", "sqlite_scan"),
    ("SELECT content FROM read_text('/etc/hostname')", "forbidden_function", "read_text"),
    ("SELECT * FROM read_blob('/etc/hostname')", "forbidden_function", "read_blob"),
    ("SELECT * FROM query('SELECT 1')", "forbidden_function", "query"),
    ("SELECT * FROM duckdb_settings()", "forbidden_function", "duckdb_settings"),
    ("SELECT * FROM range(10)", "forbidden_function", "generate_series"),
    ("SELECT * FROM '/etc/passwd.csv'", "forbidden_function", "/etc/passwd.csv"),
    (
        "SELECT * FROM 'https://example.com/data.parquet'",
        "forbidden_function",
        "https://example.com/data.parquet",
    ),
    ("SELECT * FROM 관광 JOIN read_csv('x.csv') USING (번호)", "forbidden_function", "read_csv"),
    ("SELECT (SELECT count(*) FROM read_text('/etc/hostname')) FROM 관광", "forbidden_function", "read_text"),
    ("SELECT getenv('HOME')", "forbidden_function", "getenv"),
    ("SELECT current_setting('enable_external_access')", "forbidden_function", "current_setting"),
    ("SELECT * FROM secrets", "unknown_table", "secrets"),
    ("SELECT * FROM main.관광", "unknown_table", "main.관광"),
    ("SELECT * FROM information_schema.tables", "unknown_table", "information_schema.tables"),
    ("SELECT * FROM duckdb_tables", "unknown_table", "duckdb_tables"),
]


@pytest.mark.parametrize(("sql", "code", "param"), REFUSED, ids=[s[:40] or "empty" for s, _, _ in REFUSED])
def test_refusals_carry_a_code_and_the_offending_token(tables, sql, code, param):
    with pytest.raises(QueryError) as exc:
        run_sql(tables, sql)
    assert exc.value.code == code
    if param is not None:
        assert exc.value.param == param
    else:
        assert exc.value.param


def test_table_names_match_case_insensitively_like_duckdb(tables):
    assert run_sql(tables, "SELECT count(*) AS n FROM VISITS_COPY").rows == [{"n": 10}]


def test_a_runtime_error_is_a_query_error(tables):
    with pytest.raises(QueryError) as exc:
        run_sql(tables, "SELECT 인구 FROM 관광")
    assert exc.value.code == "sql_error"
    assert "인구" in exc.value.message


def test_a_long_query_is_interrupted(tables):
    # 300⁴ ≈ 8·10⁹ combinations with a non-equi condition: far longer than the timeout.
    sql = (
        "SELECT count(*) FROM 관광 a, 관광 b, 관광 c, 관광 d "
        "WHERE (a.번호 * b.번호 + c.번호 * d.번호) % 997 = 3"
    )
    with pytest.raises(QueryError) as exc:
        run_sql(tables, sql, timeout_s=0.5)
    assert (exc.value.code, exc.value.param) == ("timeout", "timeout_s")


def test_the_connection_itself_refuses_file_access_even_without_the_parser(tmp_path, tables):
    secret = tmp_path / "secret.csv"
    secret.write_text("user,password\nroot,hunter2\n", encoding="utf-8")
    con = sql_connection(tables)
    try:
        # The registered datasets are readable …
        assert con.sql("SELECT count(*) FROM 관광").fetchall() == [(300,)]
        # … nothing else is, whatever the statement says.
        for statement in [
            f"SELECT * FROM read_csv('{secret}')",
            f"SELECT * FROM '{secret}'",
            f"SELECT content FROM read_text('{secret}')",
            f"SELECT * FROM glob('{tmp_path}/*')",
            f"ATTACH '{tmp_path}/other.db' AS other",
            f"COPY (SELECT 1) TO '{tmp_path}/out.csv'",
            "INSTALL httpfs",
            "LOAD httpfs",
        ]:
            with pytest.raises(duckdb.Error):
                con.execute(statement).fetchall()
        assert not (tmp_path / "out.csv").exists()
        assert not (tmp_path / "other.db").exists()
        # And the lock cannot be lifted.
        for statement in ["SET enable_external_access = true", "SET lock_configuration = false"]:
            with pytest.raises(duckdb.Error, match="locked"):
                con.execute(statement)
    finally:
        con.close()
