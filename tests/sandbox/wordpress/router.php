<?php
/*
 * Router of PHP's built-in web server for the sandbox WordPress
 * (php -S 127.0.0.1:PORT -t DOCROOT router.php), standing in for the web server's
 * rewrite rules:
 *   - an existing file, or a directory holding an index.php (/wp-admin/), is left to
 *     the built-in server (return false), which serves static files and runs PHP
 *     scripts with the right SCRIPT_NAME;
 *   - anything else (pretty permalinks, /wp-json/..., paths whose last segment has a
 *     dot) runs WordPress's front controller, index.php.
 */

$docroot = rtrim($_SERVER['DOCUMENT_ROOT'], '/');
$path = rawurldecode(parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH) ?? '/');
$target = $docroot . $path;

if (is_file($target) || is_file(rtrim($target, '/') . '/index.php')) {
    return false;
}

$_SERVER['SCRIPT_NAME'] = '/index.php';
$_SERVER['PHP_SELF'] = '/index.php';
$_SERVER['SCRIPT_FILENAME'] = $docroot . '/index.php';
chdir($docroot);
require $docroot . '/index.php';
