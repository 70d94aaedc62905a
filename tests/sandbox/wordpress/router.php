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
 *
 * Tenants: /t/<tenant>/... is another, independent WordPress installed in the
 * sub-directory /t/<tenant> (the same files; wp-config.php gives it its own tables,
 * plugins and uploads when FABRIK_SANDBOX_TENANT is defined). <tenant> is a DNS-like
 * name (lower-case labels of letters, digits and inner hyphens, dot-separated), the
 * same rule as tenant_name_problem() in tests/sandbox/wordpress.py. The built-in server
 * only knows the docroot, so this router serves such requests itself: a static file
 * directly, a PHP script (or a directory's index.php, or index.php for anything else)
 * with SCRIPT_NAME and PHP_SELF naming it under the prefix, REQUEST_URI as received,
 * as a web server aliasing /t/<tenant>/ to the docroot would.
 */

const FABRIK_SANDBOX_TENANT_PATTERN =
    '/^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/D';

const FABRIK_SANDBOX_STATIC_TYPES = array(
    'css' => 'text/css; charset=UTF-8', 'js' => 'text/javascript; charset=UTF-8', 'json' => 'application/json',
    'map' => 'application/json', 'txt' => 'text/plain; charset=UTF-8', 'html' => 'text/html; charset=UTF-8',
    'htm' => 'text/html; charset=UTF-8', 'xml' => 'application/xml', 'svg' => 'image/svg+xml', 'png' => 'image/png',
    'jpg' => 'image/jpeg', 'jpeg' => 'image/jpeg', 'gif' => 'image/gif', 'webp' => 'image/webp', 'avif' => 'image/avif',
    'ico' => 'image/x-icon', 'woff' => 'font/woff', 'woff2' => 'font/woff2', 'ttf' => 'font/ttf', 'otf' => 'font/otf',
    'eot' => 'application/vnd.ms-fontobject', 'pdf' => 'application/pdf', 'zip' => 'application/zip',
    'mp4' => 'video/mp4', 'webm' => 'video/webm', 'mp3' => 'audio/mpeg', 'wav' => 'audio/wav',
);

/* A complete plain-text answer from the router itself. */
function fabrik_sandbox_answer( $status, $text, $location = null ) {
    http_response_code( $status );
    header( 'Content-Type: text/plain; charset=UTF-8' );
    if ( null !== $location ) {
        header( 'Location: ' . $location );
    }
    echo $text;
}

/*
 * The script to run for this request, '' when the router already answered, or false
 * to leave the request to the built-in server. A tenant request defines
 * FABRIK_SANDBOX_TENANT and points SCRIPT_NAME/PHP_SELF at the prefixed script.
 */
function fabrik_sandbox_route( $docroot ) {
    $uri  = $_SERVER['REQUEST_URI'];
    $path = rawurldecode( parse_url( $uri, PHP_URL_PATH ) ?? '/' );

    if ( strncmp( $path, '/t/', 3 ) !== 0 ) {
        $target = $docroot . $path;
        if ( is_file( $target ) || is_file( rtrim( $target, '/' ) . '/index.php' ) ) {
            return false;
        }
        $script = '/index.php';
        $prefix = '';
    } else {
        $slash  = strpos( $path, '/', 3 );
        $tenant = false === $slash ? substr( $path, 3 ) : substr( $path, 3, $slash - 3 );
        if ( ! preg_match( FABRIK_SANDBOX_TENANT_PATTERN, $tenant ) ) {
            fabrik_sandbox_answer( 400, "sandbox: /t/<tenant>/ needs a DNS-like tenant name (lower-case letters, digits, inner hyphens, dot-separated labels)\n" );
            return '';
        }
        $prefix = '/t/' . $tenant;
        if ( false === $slash ) {
            $query = parse_url( $uri, PHP_URL_QUERY );
            fabrik_sandbox_answer( 301, "moved\n", $prefix . '/' . ( null === $query ? '' : '?' . $query ) );
            return '';
        }
        $path = substr( $path, $slash );
        if ( in_array( '..', explode( '/', $path ), true ) ) {
            fabrik_sandbox_answer( 404, "sandbox: no such file\n" );
            return '';
        }
        define( 'FABRIK_SANDBOX_TENANT', $tenant );
        unset( $_SERVER['PATH_INFO'], $_SERVER['ORIG_PATH_INFO'] );
        $target = $docroot . $path;
        if ( is_file( $target ) && ! preg_match( '/\.php$/i', $path ) ) {
            $extension = strtolower( pathinfo( $path, PATHINFO_EXTENSION ) );
            header( 'Content-Type: ' . ( FABRIK_SANDBOX_STATIC_TYPES[ $extension ] ?? 'application/octet-stream' ) );
            header( 'Content-Length: ' . filesize( $target ) );
            if ( 'HEAD' !== $_SERVER['REQUEST_METHOD'] ) {
                readfile( $target );
            }
            return '';
        }
        if ( is_file( $target ) ) {
            $script = $path;
        } elseif ( is_file( rtrim( $target, '/' ) . '/index.php' ) ) {
            $script = rtrim( $path, '/' ) . '/index.php';
        } else {
            $script = '/index.php';
        }
    }

    $_SERVER['SCRIPT_NAME']     = $prefix . $script;
    $_SERVER['PHP_SELF']        = $prefix . $script;
    $_SERVER['SCRIPT_FILENAME'] = $docroot . $script;
    return $script;
}

$fabrik_sandbox_script = fabrik_sandbox_route( rtrim( $_SERVER['DOCUMENT_ROOT'], '/' ) );
if ( false === $fabrik_sandbox_script ) {
    return false;
}
if ( '' !== $fabrik_sandbox_script ) {
    chdir( dirname( $_SERVER['SCRIPT_FILENAME'] ) );
    unset( $fabrik_sandbox_script );
    /* At the top level, so the script's variables are globals as WordPress expects. */
    require $_SERVER['SCRIPT_FILENAME'];
}
