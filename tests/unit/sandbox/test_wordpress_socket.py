"""Where the WordPress sandbox's MariaDB puts its Unix socket (no WordPress or MariaDB needed)."""

from tests.sandbox.wordpress import UNIX_SOCKET_PATH_MAX, _socket_path


def test_a_clone_deep_in_the_file_system_still_gets_a_mariadb_socket(tmp_path):
    """A socket address holds 107 bytes: a clone's deep state directory puts the socket elsewhere."""
    shallow = _socket_path(tmp_path, "mariadbd.sock")
    assert shallow == tmp_path / "mariadbd.sock"
    deep = tmp_path.joinpath(*["a-directory-name-of-some-length"] * 5)
    moved = _socket_path(deep, "mariadbd.sock")
    assert len(str(moved).encode()) <= UNIX_SOCKET_PATH_MAX
    assert moved == _socket_path(deep, "mariadbd.sock")  # the same state directory, the same socket
    assert moved != _socket_path(deep / "other", "mariadbd.sock")
