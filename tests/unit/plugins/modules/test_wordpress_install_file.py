"""wordpress_install keeps a new application password in app_password_file (the request side runs against a
real WordPress in tests/integration/modules/test_wordpress_modules.py)."""

import os
import stat

import pytest

from ansible_collections.fabrik.deploy.plugins.module_utils._common import SpecError
from ansible_collections.fabrik.deploy.plugins.modules.wordpress_install import keep_secret


def test_the_password_is_written_for_the_owner_only_and_replaces_an_old_one(tmp_path):
    path = tmp_path / "app-password"
    path.write_text("old password")
    path.chmod(0o644)

    keep_secret(str(path), "abcd EFGH ijkl MNOP")

    assert path.read_text() == "abcd EFGH ijkl MNOP"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert sorted(os.listdir(tmp_path)) == ["app-password"]


def test_a_directory_that_does_not_exist_says_the_password_was_created(tmp_path):
    with pytest.raises(SpecError, match=r"app_password_file: cannot write .*missing/app-password: No such file or "
                                        r"directory \(the application password was created"):
        keep_secret(str(tmp_path / "missing" / "app-password"), "secret")
