#!/usr/bin/env bash
# Usage: tools/install-wordpress-deps.sh
# Installs the Debian packages the sandbox's real WordPress needs (tests/sandbox/wordpress.py):
# WordPress and its bundled themes, PHP's command-line interpreter with the extensions
# WordPress uses, and MariaDB's server binaries only (mariadb-server-core: no system service;
# the sandbox runs its own mariadbd on a private data directory), and rsync, which restores
# the sandbox's copy of WordPress on reset.
# Idempotent: does nothing when every package is installed; runs apt-get update only when
# a package is missing.
set -euo pipefail

packages=(
    wordpress
    wordpress-theme-twentytwentyone
    wordpress-theme-twentytwentytwo
    wordpress-theme-twentytwentythree
    php-cli
    php-mysql
    php-gd
    php-curl
    php-xml
    php-mbstring
    php-zip
    php-intl
    mariadb-server-core
    mariadb-client-core
    rsync
)

is_installed() {
    [[ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null)" == installed ]]
}

missing=()
for package in "${packages[@]}"; do
    is_installed "$package" || missing+=("$package")
done

if [[ ${#missing[@]} -eq 0 ]]; then
    echo "WordPress sandbox packages are installed"
    exit 0
fi

if [[ $(id -u) -ne 0 ]]; then
    echo "error: missing Debian packages: ${missing[*]}; run as root or: sudo apt-get install ${missing[*]}" >&2
    exit 1
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
echo "installing: ${missing[*]}"
apt-get install -y -qq --no-install-recommends "${missing[@]}"
