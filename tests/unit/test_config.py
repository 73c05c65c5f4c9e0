"""conf/nifi_like.toml documents every default: loading it must give exactly the defaults."""

from __future__ import annotations

from dataclasses import asdict

from nifi_like.config import DEFAULT_CONF, Settings, load_settings


def test_shipped_configuration_equals_the_defaults() -> None:
    loaded = load_settings(DEFAULT_CONF)
    assert loaded.extra == {}, f"keys in conf/nifi_like.toml that nothing reads: {loaded.extra}"
    assert asdict(loaded) == asdict(Settings())


def test_bad_value_names_the_key(tmp_path: object) -> None:
    import pathlib

    path = pathlib.Path(str(tmp_path)) / "bad.toml"
    path.write_text('[repository]\ninitial_map_size = "lots"\n')
    try:
        load_settings(str(path))
    except ValueError as exc:
        assert "repository.initial_map_size" in str(exc) and "lots" in str(exc)
    else:
        raise AssertionError("a bad value must be refused")
