"""The compose preflight step refuses empty and placeholder secrets."""

from plc_shared import preflight


def write(directory, **secrets):
    for name, value in secrets.items():
        (directory / name).write_text(value + "\n")


def test_real_secrets_pass(tmp_path, capsys):
    write(tmp_path, postgres_admin_password="8f3e1c0b9a7d", kafka_client_password="x" * 32)
    assert preflight.main([str(tmp_path)]) == 0


def test_placeholders_and_empty_secrets_are_named(tmp_path, capsys):
    write(tmp_path, postgres_admin_password="change-me-postgres", goals_db_password="", ok="s3cret")
    assert preflight.main([str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "postgres_admin_password still holds a placeholder" in err
    assert "goals_db_password is empty" in err
    assert "ok " not in err


def test_no_secrets_at_all_fails(tmp_path):
    assert preflight.main([str(tmp_path)]) == 1
