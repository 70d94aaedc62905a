<?php
/*
 * Copyright: (c) 2026, fabrik.deploy contributors
 * GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
 *
 * Prints, as JSON, the scripts a WordPress tree registers for its JavaScript packages: every
 * handle with its file, dependencies and inline scripts, as WordPress itself registers them.
 * It runs WordPress's own wp_default_packages_vendor() and wp_default_packages_scripts()
 * (wp-includes/script-loader.php: the vendor scripts such as react, react-jsx-runtime and lodash,
 * then one script per entry of wp-includes/assets/script-loader-packages.php) on a recorder in
 * place of WP_Scripts, with the handful of WordPress functions they call reduced to what
 * registration needs (no database, no hooks). validate.js loads the bundles in this order.
 *
 * Usage: php scripts.php /path/to/wordpress
 * Output: {"version": "6.8.12", "scripts": {"<handle>": {"src": "/wp-includes/js/dist/...",
 *          "deps": [...], "before": [...], "after": [...]}}}
 */

if ( $argc !== 2 || ! is_file( $argv[1] . '/wp-includes/script-loader.php' ) ) {
	fwrite( STDERR, "usage: php scripts.php /path/to/wordpress\n" );
	exit( 2 );
}

define( 'ABSPATH', rtrim( $argv[1], '/' ) . '/' );
define( 'WPINC', 'wp-includes' );
define( 'SCRIPT_DEBUG', false );

/* What registration calls, as on a site after 'init' with the default English locale. */
function did_action( $hook_name ) {
	return 1;
}

function get_user_locale( $user = 0 ) {
	return 'en_US';
}

function get_option( $option, $default_value = false ) {
	return $default_value;
}

function __( $text, $domain = 'default' ) {
	return $text;
}

function _x( $text, $context, $domain = 'default' ) {
	return $text;
}

function esc_js( $text ) {
	return addcslashes( $text, "'\\\n\r" );
}

function wp_json_encode( $value, $flags = 0, $depth = 512 ) {
	return json_encode( $value, $flags, $depth );
}

/* $wp_locale of an English site: the names moment's locale update reads. */
$GLOBALS['wp_locale'] = (object) array(
	'month'          => array( 'January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December' ),
	'month_abbrev'   => array( 'Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec' ),
	'weekday'        => array( 'Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday' ),
	'weekday_abbrev' => array( 'Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat' ),
);

/* Records what WP_Scripts would register. */
class Fabrik_Script_Recorder {
	public $registered = array();

	public function add( $handle, $src, $deps = array(), $ver = false, $args = null ) {
		$this->registered[ $handle ] = array(
			'src'    => $src,
			'deps'   => array_values( $deps ),
			'before' => array(),
			'after'  => array(),
		);
		return true;
	}

	public function add_inline_script( $handle, $data, $position = 'after' ) {
		if ( isset( $this->registered[ $handle ] ) ) {
			$this->registered[ $handle ][ 'before' === $position ? 'before' : 'after' ][] = $data;
		}
		return true;
	}

	public function set_translations( $handle, $domain = 'default', $path = '' ) {
		return true;
	}
}

require ABSPATH . WPINC . '/script-loader.php';
require ABSPATH . WPINC . '/version.php';

$recorder = new Fabrik_Script_Recorder();
wp_default_packages_vendor( $recorder );
wp_default_packages_scripts( $recorder );

echo json_encode(
	array(
		'version' => $wp_version,
		'scripts' => $recorder->registered,
	),
	JSON_UNESCAPED_SLASHES
);
