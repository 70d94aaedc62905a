<?php
/**
 * Plugin Name: fabrik connector
 * Description: REST routes for what WordPress's core REST API cannot do (theme switch, theme mods,
 *              a few options, plugin upload and sources), the site-wide head snippets and SEO defaults,
 *              the site's stylesheet, and a contact form. Installed by the fabrik.deploy Ansible collection
 *              as a must-use plugin.
 * Version:     1.1.0
 * License:     GPL-3.0-or-later
 *
 * Copyright: (c) 2026, fabrik.deploy contributors
 * GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
 *
 * Every route lives under the fabrik/v1 namespace, authenticates like the core API (cookie + nonce
 * or application password) and checks a capability in its permission callback.
 *
 * This file is the must-use plugin WordPress loads; it loads its parts from the directory next to it,
 * fabrik-connector/ (WordPress itself loads only the files directly in mu-plugins): see
 * FABRIK_CONNECTOR_PARTS. Both are installed together (the compose template gives each file its own config).
 */

defined( 'ABSPATH' ) || exit;

const FABRIK_CONNECTOR_VERSION   = '1.1.0';
const FABRIK_CONNECTOR_NAMESPACE = 'fabrik/v1';
const FABRIK_SNIPPETS_OPTION     = 'fabrik_head_snippets';
const FABRIK_SEO_OPTION          = 'fabrik_seo';
const FABRIK_MAX_SNIPPETS        = 20;
const FABRIK_MAX_SNIPPET_LENGTH  = 20000;
const FABRIK_MAX_SEO_LENGTH      = 500;
const FABRIK_SEO_TITLE_META       = 'fabrik_seo_title';
const FABRIK_SEO_DESCRIPTION_META = 'fabrik_seo_description';
const FABRIK_CSS_OPTION           = 'fabrik_css';
const FABRIK_MAX_CSS_LENGTH       = 100000;

/*
 * The parts in fabrik-connector/, in load order: plugin-sources (can the site download a plugin), the contact
 * form (its texts, the stored submissions, the form itself).
 */
const FABRIK_CONNECTOR_PARTS = array( 'plugin-sources', 'contact-form-texts', 'submissions', 'contact-form' );

/**
 * Loads the parts that are present; a missing one (only this file was copied) is reported by /status
 * (missing_parts) rather than breaking every page of the site.
 */
function fabrik_connector_load_parts() {
	$missing = array();
	foreach ( FABRIK_CONNECTOR_PARTS as $part ) {
		$file = __DIR__ . '/fabrik-connector/' . $part . '.php';
		if ( is_readable( $file ) ) {
			require_once $file;
		} else {
			$missing[] = $part;
		}
	}
	return $missing;
}

function fabrik_connector_missing_parts() {
	static $missing = null;
	if ( null === $missing ) {
		$missing = fabrik_connector_load_parts();
	}
	return $missing;
}

fabrik_connector_missing_parts();

/**
 * The SEO plugins whose fields fabrik.deploy writes while they are active: the plugin's main file, the
 * page meta holding a page's SEO title and description, and the option holding the site-wide title
 * templates and descriptions with the keys of it the connector reads and writes.
 */
function fabrik_connector_seo_plugins() {
	return array(
		'yoast'    => array(
			'file'   => 'wordpress-seo/wp-seo.php',
			'meta'   => array( '_yoast_wpseo_title', '_yoast_wpseo_metadesc' ),
			'option' => 'wpseo_titles',
			'keys'   => array( 'title-page', 'title-post', 'metadesc-home-wpseo', 'metadesc-page' ),
		),
		'rankmath' => array(
			'file'   => 'seo-by-rank-math/rank-math.php',
			'meta'   => array( 'rank_math_title', 'rank_math_description' ),
			'option' => 'rank-math-options-titles',
			'keys'   => array( 'pt_page_title', 'pt_post_title', 'homepage_description', 'pt_page_description' ),
		),
	);
}

add_action( 'init', 'fabrik_connector_register_meta' );
add_filter( 'rest_attachment_query', 'fabrik_connector_media_query', 10, 2 );
add_action( 'rest_api_init', 'fabrik_connector_register_routes' );
add_action( 'wp_head', 'fabrik_connector_print_head', 1 );
add_filter( 'document_title_parts', 'fabrik_connector_title_parts', 99 );
add_action( 'save_post_wp_global_styles', 'fabrik_connector_flush_global_styles_cache' );
/*
 * WordPress 6.3+ saves a "Navigation" menu the first time a block theme's navigation block renders on a
 * site without one (even during the installer's loopback request): a post nobody asked for, which also
 * outdates the menu fabrik.deploy keeps the most recently published. Without it the block shows the
 * page list until fabrik.deploy.wordpress_menus saves the site's menus.
 */
add_filter( 'wp_navigation_should_create_fallback', '__return_false' );
add_action( 'wp_install', 'fabrik_connector_remove_sample_content' );
add_action( 'wp_enqueue_scripts', 'fabrik_connector_enqueue_css', 20 );
add_action( 'enqueue_block_assets', 'fabrik_connector_enqueue_editor_css' );

/**
 * The content hash fabrik.deploy stores on the media it uploads, so reruns upload nothing, and the
 * search engine title and description of pages (printed in the head of the page); while Yoast SEO or
 * Rank Math is active, that plugin's page meta for the same, so that REST can write it.
 */
function fabrik_connector_register_meta() {
	$meta = array(
		array( 'attachment', 'fabrik_sha256', 'fabrik_connector_sanitize_sha256' ),
		array( 'page', FABRIK_SEO_TITLE_META, 'fabrik_connector_sanitize_plain_text' ),
		array( 'page', FABRIK_SEO_DESCRIPTION_META, 'fabrik_connector_sanitize_plain_text' ),
	);
	$seo = fabrik_connector_active_seo_plugin();
	if ( $seo ) {
		foreach ( $seo['meta'] as $key ) {
			$meta[] = array( 'page', $key, 'fabrik_connector_sanitize_seo_text' );
		}
	}
	foreach ( $meta as list( $post_type, $key, $sanitize ) ) {
		register_post_meta(
			$post_type,
			$key,
			array(
				'type'              => 'string',
				'single'            => true,
				'default'           => '',
				'show_in_rest'      => true,
				'sanitize_callback' => $sanitize,
				'auth_callback'     => 'fabrik_connector_can_edit_post',
			)
		);
	}
}

/**
 * Plain text kept as given (markup included: it is escaped when printed), so that what fabrik.deploy
 * stores reads back unchanged; only invalid UTF-8 and control characters are dropped.
 */
function fabrik_connector_sanitize_plain_text( $value ) {
	return preg_replace( '/[\x00-\x08\x0B\x0C\x0E-\x1F\x7F]/', '', wp_check_invalid_utf8( (string) $value ) );
}

/**
 * Text for an SEO plugin's field: plain text without tags, white space runs collapsed to one space.
 */
function fabrik_connector_sanitize_seo_text( $value ) {
	$text = preg_replace( '/<[^>]*>/', '', fabrik_connector_sanitize_plain_text( $value ) );
	return trim( preg_replace( '/[\t\n\r ]+/', ' ', $text ), ' ' );
}

function fabrik_connector_can_edit_post( $allowed, $meta_key, $post_id ) {
	return current_user_can( 'edit_post', $post_id );
}

function fabrik_connector_sanitize_sha256( $value ) {
	$value = strtolower( trim( (string) $value ) );
	return preg_match( '/^[0-9a-f]{64}$/', $value ) ? $value : '';
}

/**
 * Lets GET /wp/v2/media?fabrik_sha256=<hash>,<hash> find attachments by content hash.
 */
function fabrik_connector_media_query( $args, WP_REST_Request $request ) {
	$param = $request->get_param( 'fabrik_sha256' );
	if ( null === $param ) {
		return $args;
	}
	$hashes = array_filter( array_map( 'fabrik_connector_sanitize_sha256', wp_parse_list( $param ) ) );
	$args['meta_query'] = array(
		array(
			'key'     => 'fabrik_sha256',
			'value'   => $hashes ? array_values( $hashes ) : array( 'no-hash' ),
			'compare' => 'IN',
		),
	);
	return $args;
}

/**
 * WordPress 6.1 caches the global stylesheet for a minute and does not clear it when global styles are
 * saved: clear it so new colours and fonts show at once.
 */
function fabrik_connector_flush_global_styles_cache() {
	delete_transient( 'global_styles_' . get_stylesheet() );
	delete_transient( 'global_styles_svg_filters_' . get_stylesheet() );
}

function fabrik_connector_register_routes() {
	$routes = array(
		'/status'         => array(
			array( 'GET', 'fabrik_connector_get_status', 'manage_options' ),
		),
		'/theme'          => array(
			array( 'POST', 'fabrik_connector_switch_theme', 'switch_themes' ),
		),
		'/theme-mods'     => array(
			array( 'GET', 'fabrik_connector_get_theme_mods', 'edit_theme_options' ),
			array( 'POST', 'fabrik_connector_set_theme_mods', 'edit_theme_options' ),
		),
		'/options'        => array(
			array( 'GET', 'fabrik_connector_get_options', 'manage_options' ),
			array( 'POST', 'fabrik_connector_set_options', 'manage_options' ),
		),
		'/plugins/upload' => array(
			array( 'POST', 'fabrik_connector_upload_plugin', 'install_plugins' ),
		),
	);
	foreach ( $routes as $route => $endpoints ) {
		$args = array();
		foreach ( $endpoints as list( $method, $callback, $capability ) ) {
			$args[] = array(
				'methods'             => $method,
				'callback'            => $callback,
				'permission_callback' => function () use ( $capability ) {
					return current_user_can( $capability );
				},
			);
		}
		register_rest_route( FABRIK_CONNECTOR_NAMESPACE, $route, $args );
	}
}

function fabrik_connector_error( $code, $message, $status = 400 ) {
	return new WP_Error( $code, $message, array( 'status' => $status ) );
}

/**
 * The JSON body of a request as an array, or a WP_Error when it is not a JSON object.
 */
function fabrik_connector_json_object( WP_REST_Request $request ) {
	$params = $request->get_json_params();
	if ( ! is_array( $params ) || ( $params && wp_is_numeric_array( $params ) ) ) {
		return fabrik_connector_error( 'fabrik_invalid_body', 'A JSON object body is expected.' );
	}
	return $params;
}

function fabrik_connector_plugin_is_active( $plugin_file ) {
	if ( in_array( $plugin_file, (array) get_option( 'active_plugins', array() ), true ) ) {
		return true;
	}
	return is_multisite() && array_key_exists( $plugin_file, (array) get_site_option( 'active_sitewide_plugins', array() ) );
}

/**
 * The name (yoast, rankmath) of the active SEO plugin whose fields fabrik.deploy writes, or 'none'.
 */
function fabrik_connector_seo_plugin() {
	foreach ( fabrik_connector_seo_plugins() as $name => $plugin ) {
		if ( fabrik_connector_plugin_is_active( $plugin['file'] ) ) {
			return $name;
		}
	}
	return 'none';
}

/**
 * The fabrik_connector_seo_plugins() entry of the active SEO plugin, or null.
 */
function fabrik_connector_active_seo_plugin() {
	$plugins = fabrik_connector_seo_plugins();
	$name    = fabrik_connector_seo_plugin();
	return isset( $plugins[ $name ] ) ? $plugins[ $name ] : null;
}

/**
 * True while any SEO plugin is active (one fabrik.deploy writes to, or another one it recognises): the
 * connector then prints no description and leaves the document title alone.
 */
function fabrik_connector_seo_plugin_active() {
	return 'none' !== fabrik_connector_seo_plugin() || defined( 'WPSEO_VERSION' ) || defined( 'RANK_MATH_VERSION' )
		|| defined( 'AIOSEO_VERSION' ) || defined( 'SEOPRESS_VERSION' ) || defined( 'THE_SEO_FRAMEWORK_VERSION' );
}

// ------------------------------------------------------------------ status

function fabrik_connector_status() {
	$theme = wp_get_theme();
	return array(
		'connector_version'   => FABRIK_CONNECTOR_VERSION,
		'wordpress_version'   => get_bloginfo( 'version' ),
		'stylesheet'          => $theme->get_stylesheet(),
		'template'            => $theme->get_template(),
		'theme_name'          => $theme->get( 'Name' ),
		'block_theme'         => wp_is_block_theme(),
		'permalink_structure' => (string) get_option( 'permalink_structure' ),
		'site_icon'           => (int) get_option( 'site_icon' ),
		'site_logo'           => (int) get_option( 'site_logo' ),
		'custom_logo'         => (int) get_theme_mod( 'custom_logo' ),
		'seo_plugin_active'   => fabrik_connector_seo_plugin_active(),
		'seo_plugin'          => fabrik_connector_seo_plugin(),
		'missing_parts'       => fabrik_connector_missing_parts(),
	);
}

function fabrik_connector_get_status() {
	return rest_ensure_response( fabrik_connector_status() );
}

// ------------------------------------------------------------------- theme

function fabrik_connector_switch_theme( WP_REST_Request $request ) {
	$params = fabrik_connector_json_object( $request );
	if ( is_wp_error( $params ) ) {
		return $params;
	}
	$stylesheet = isset( $params['stylesheet'] ) ? (string) $params['stylesheet'] : '';
	if ( ! preg_match( '/^[A-Za-z0-9._-]+$/', $stylesheet ) ) {
		return fabrik_connector_error( 'fabrik_invalid_stylesheet', 'stylesheet: a theme directory name is expected.' );
	}
	$theme = wp_get_theme( $stylesheet );
	if ( ! $theme->exists() ) {
		return fabrik_connector_error( 'fabrik_theme_not_found', sprintf( 'Theme %s is not installed.', $stylesheet ), 404 );
	}
	if ( $theme->errors() ) {
		return fabrik_connector_error( 'fabrik_theme_broken', $theme->errors()->get_error_message() );
	}
	if ( get_stylesheet() !== $stylesheet ) {
		switch_theme( $stylesheet );
	}
	return rest_ensure_response( fabrik_connector_status() );
}

// -------------------------------------------------------------- theme mods

/**
 * The active theme's mods that hold a scalar value (arrays such as nav_menu_locations are left out).
 */
function fabrik_connector_scalar_theme_mods() {
	$mods = array();
	foreach ( (array) get_theme_mods() as $name => $value ) {
		if ( is_scalar( $value ) ) {
			$mods[ $name ] = $value;
		}
	}
	return (object) $mods;
}

function fabrik_connector_get_theme_mods() {
	return rest_ensure_response( fabrik_connector_scalar_theme_mods() );
}

function fabrik_connector_validate_theme_mod( $name, $value ) {
	if ( ! is_string( $name ) || sanitize_key( $name ) !== $name || '' === $name ) {
		return fabrik_connector_error( 'fabrik_invalid_theme_mod', 'Theme mod names are lower-case letters, digits, _ and -.' );
	}
	if ( null !== $value && ! is_scalar( $value ) ) {
		return fabrik_connector_error( 'fabrik_invalid_theme_mod', sprintf( '%s: a string, number, boolean or null is expected.', $name ) );
	}
	if ( 'custom_logo' === $name && $value && ! wp_attachment_is_image( (int) $value ) ) {
		return fabrik_connector_error( 'fabrik_invalid_theme_mod', 'custom_logo: the id of an image attachment is expected.' );
	}
	if ( is_string( $value ) && ! current_user_can( 'unfiltered_html' ) ) {
		return wp_kses_post( $value );
	}
	return $value;
}

/**
 * Sets the given theme mods (a JSON object name => value; null removes the mod).
 */
function fabrik_connector_set_theme_mods( WP_REST_Request $request ) {
	$params = fabrik_connector_json_object( $request );
	if ( is_wp_error( $params ) ) {
		return $params;
	}
	$clean = array();
	foreach ( $params as $name => $value ) {
		$checked = fabrik_connector_validate_theme_mod( $name, $value );
		if ( is_wp_error( $checked ) ) {
			return $checked;
		}
		$clean[ $name ] = $checked;
	}
	foreach ( $clean as $name => $value ) {
		if ( null === $value ) {
			remove_theme_mod( $name );
		} else {
			set_theme_mod( $name, 'custom_logo' === $name ? (int) $value : $value );
		}
	}
	return rest_ensure_response( fabrik_connector_scalar_theme_mods() );
}

// ----------------------------------------------------------------- options

function fabrik_connector_options() {
	$options = array(
		'permalink_structure'  => (string) get_option( 'permalink_structure' ),
		'site_icon'            => (int) get_option( 'site_icon' ),
		'show_on_front'        => (string) get_option( 'show_on_front' ),
		'page_on_front'        => (int) get_option( 'page_on_front' ),
		'page_for_posts'       => (int) get_option( 'page_for_posts' ),
		'blog_public'          => (bool) get_option( 'blog_public' ),
		FABRIK_SNIPPETS_OPTION => (object) fabrik_connector_stored_array( FABRIK_SNIPPETS_OPTION ),
		FABRIK_SEO_OPTION      => (object) fabrik_connector_stored_array( FABRIK_SEO_OPTION ),
		FABRIK_CSS_OPTION      => (string) get_option( FABRIK_CSS_OPTION, '' ),
	);
	$seo = fabrik_connector_active_seo_plugin();
	if ( $seo ) {
		$options[ $seo['option'] ] = fabrik_connector_seo_plugin_settings( $seo );
	}
	return $options;
}

/**
 * The keys the connector manages of an SEO plugin's settings option, '' for a key the plugin has not stored.
 */
function fabrik_connector_seo_plugin_settings( $plugin ) {
	$stored   = fabrik_connector_stored_array( $plugin['option'] );
	$settings = array();
	foreach ( $plugin['keys'] as $key ) {
		$settings[ $key ] = isset( $stored[ $key ] ) && is_scalar( $stored[ $key ] ) ? (string) $stored[ $key ] : '';
	}
	return $settings;
}

function fabrik_connector_stored_array( $option ) {
	$value = get_option( $option, array() );
	return is_array( $value ) ? $value : array();
}

function fabrik_connector_get_options() {
	return rest_ensure_response( fabrik_connector_options() );
}

function fabrik_connector_page_id( $name, $value ) {
	if ( ! is_int( $value ) || $value < 0 ) {
		return fabrik_connector_error( 'fabrik_invalid_option', sprintf( '%s: a page id (integer >= 0) is expected.', $name ) );
	}
	if ( $value && 'page' !== get_post_type( $value ) ) {
		return fabrik_connector_error( 'fabrik_invalid_option', sprintf( '%s: no page has id %d.', $name, $value ) );
	}
	return $value;
}

function fabrik_connector_check_permalink_structure( $value ) {
	if ( ! is_string( $value ) || ( '' !== $value && ! preg_match( '#^/[A-Za-z0-9%_/.-]*%[a-z_]+%[A-Za-z0-9%_/.-]*$#', $value ) ) ) {
		return fabrik_connector_error(
			'fabrik_invalid_option',
			'permalink_structure: empty (plain links) or a path starting with / holding a structure tag such as %postname% is expected.'
		);
	}
	return $value;
}

function fabrik_connector_check_site_icon( $value ) {
	if ( ! is_int( $value ) || $value < 0 || ( $value && ! wp_attachment_is_image( $value ) ) ) {
		return fabrik_connector_error( 'fabrik_invalid_option', 'site_icon: the id of an image attachment, or 0, is expected.' );
	}
	return $value;
}

function fabrik_connector_check_snippets( $value ) {
	if ( ! current_user_can( 'unfiltered_html' ) ) {
		return fabrik_connector_error( 'fabrik_forbidden', 'Storing head snippets needs the unfiltered_html capability.', 403 );
	}
	if ( ! is_array( $value ) || ( $value && wp_is_numeric_array( $value ) ) || count( $value ) > FABRIK_MAX_SNIPPETS ) {
		return fabrik_connector_error(
			'fabrik_invalid_option',
			sprintf( '%s: an object of at most %d name => HTML entries is expected.', FABRIK_SNIPPETS_OPTION, FABRIK_MAX_SNIPPETS )
		);
	}
	foreach ( $value as $name => $html ) {
		if ( sanitize_key( $name ) !== (string) $name || ! is_string( $html ) || strlen( $html ) > FABRIK_MAX_SNIPPET_LENGTH ) {
			return fabrik_connector_error(
				'fabrik_invalid_option',
				sprintf( '%s: names are lower-case keys, values strings of at most %d bytes.', FABRIK_SNIPPETS_OPTION, FABRIK_MAX_SNIPPET_LENGTH )
			);
		}
	}
	return $value;
}

function fabrik_connector_check_seo( $value ) {
	$allowed = array( 'title_template', 'description' );
	if ( ! is_array( $value ) || array_diff( array_keys( $value ), $allowed ) ) {
		return fabrik_connector_error( 'fabrik_invalid_option', 'fabrik_seo: an object with title_template and/or description is expected.' );
	}
	return fabrik_connector_check_seo_texts( FABRIK_SEO_OPTION, $value );
}

/**
 * The strings of an SEO settings object as plain text, or a WP_Error naming the field.
 */
function fabrik_connector_check_seo_texts( $option, $value ) {
	$clean = array();
	foreach ( $value as $key => $text ) {
		if ( ! is_string( $text ) || strlen( $text ) > FABRIK_MAX_SEO_LENGTH ) {
			return fabrik_connector_error( 'fabrik_invalid_option', sprintf( '%s.%s: a string of at most %d bytes is expected.', $option, $key, FABRIK_MAX_SEO_LENGTH ) );
		}
		$clean[ $key ] = fabrik_connector_sanitize_seo_text( $text );
	}
	return $clean;
}

/**
 * The site's stylesheet: CSS text without "<" (it is printed inside a style element).
 */
function fabrik_connector_check_css( $value ) {
	if ( ! current_user_can( 'edit_css' ) && ! current_user_can( 'unfiltered_html' ) ) {
		return fabrik_connector_error( 'fabrik_forbidden', 'Storing the site stylesheet needs the edit_css capability.', 403 );
	}
	if ( ! is_string( $value ) || strlen( $value ) > FABRIK_MAX_CSS_LENGTH || false !== strpos( $value, '<' ) ) {
		return fabrik_connector_error(
			'fabrik_invalid_option',
			sprintf( '%s: CSS text of at most %d bytes without "<" is expected.', FABRIK_CSS_OPTION, FABRIK_MAX_CSS_LENGTH )
		);
	}
	return $value;
}

/**
 * The fabrik_connector_seo_plugins() entry whose settings option is $option, or null.
 */
function fabrik_connector_seo_plugin_of_option( $option ) {
	foreach ( fabrik_connector_seo_plugins() as $plugin ) {
		if ( $plugin['option'] === $option ) {
			return $plugin;
		}
	}
	return null;
}

/**
 * Some of the managed keys of an SEO plugin's settings (only while that plugin is active).
 */
function fabrik_connector_check_seo_plugin_settings( $plugin, $value ) {
	if ( ! fabrik_connector_plugin_is_active( $plugin['file'] ) ) {
		return fabrik_connector_error( 'fabrik_invalid_option', sprintf( '%s: the plugin %s is not active.', $plugin['option'], $plugin['file'] ) );
	}
	if ( ! is_array( $value ) || ( $value && wp_is_numeric_array( $value ) ) || array_diff( array_keys( $value ), $plugin['keys'] ) ) {
		return fabrik_connector_error(
			'fabrik_invalid_option',
			sprintf( '%s: an object with some of %s is expected.', $plugin['option'], implode( ', ', $plugin['keys'] ) )
		);
	}
	return fabrik_connector_check_seo_texts( $plugin['option'], $value );
}

/**
 * The validated value of a writable option, or a WP_Error naming the option.
 */
function fabrik_connector_check_option( $name, $value ) {
	switch ( $name ) {
		case 'permalink_structure':
			return fabrik_connector_check_permalink_structure( $value );
		case 'site_icon':
			return fabrik_connector_check_site_icon( $value );
		case 'show_on_front':
			return in_array( $value, array( 'posts', 'page' ), true )
				? $value
				: fabrik_connector_error( 'fabrik_invalid_option', 'show_on_front: posts or page is expected.' );
		case 'page_on_front':
		case 'page_for_posts':
			return fabrik_connector_page_id( $name, $value );
		case 'blog_public':
			return is_bool( $value ) ? $value : fabrik_connector_error( 'fabrik_invalid_option', 'blog_public: a boolean is expected.' );
		case FABRIK_SNIPPETS_OPTION:
			return fabrik_connector_check_snippets( $value );
		case FABRIK_SEO_OPTION:
			return fabrik_connector_check_seo( $value );
		case FABRIK_CSS_OPTION:
			return fabrik_connector_check_css( $value );
	}
	$seo_plugin = fabrik_connector_seo_plugin_of_option( $name );
	if ( $seo_plugin ) {
		return fabrik_connector_check_seo_plugin_settings( $seo_plugin, $value );
	}
	return fabrik_connector_error( 'fabrik_unknown_option', sprintf( '%s is not an option this connector manages.', $name ) );
}

/**
 * Sets the given options (a JSON object); every value is validated before anything is written.
 */
function fabrik_connector_set_options( WP_REST_Request $request ) {
	$params = fabrik_connector_json_object( $request );
	if ( is_wp_error( $params ) ) {
		return $params;
	}
	$clean = array();
	foreach ( $params as $name => $value ) {
		$checked = fabrik_connector_check_option( (string) $name, $value );
		if ( is_wp_error( $checked ) ) {
			return $checked;
		}
		$clean[ $name ] = $checked;
	}
	foreach ( $clean as $name => $value ) {
		fabrik_connector_update_option( $name, $value );
	}
	return rest_ensure_response( fabrik_connector_options() );
}

function fabrik_connector_update_option( $name, $value ) {
	global $wp_rewrite;
	if ( 'permalink_structure' === $name ) {
		if ( get_option( 'permalink_structure' ) !== $value ) {
			$wp_rewrite->set_permalink_structure( $value );
			flush_rewrite_rules( false );
		}
		return;
	}
	if ( 'blog_public' === $name ) {
		$value = $value ? '1' : '0';
	}
	if ( fabrik_connector_seo_plugin_of_option( $name ) ) {
		// Only some keys of the plugin's settings are managed: the others keep their values.
		$value = array_merge( fabrik_connector_stored_array( $name ), $value );
	}
	update_option( $name, $value );
}

// ----------------------------------------------------------------- plugins

/**
 * Installs a plugin from the request body (a zip, Content-Type application/zip) or from
 * ?url=http(s)://... with Plugin_Upgrader on the direct filesystem.  ?overwrite=1 replaces
 * an installed copy.  Answers {plugin: "dir/file"} in the core REST API's plugin id form.
 */
function fabrik_connector_upload_plugin( WP_REST_Request $request ) {
	$url = (string) $request->get_param( 'url' );
	if ( '' !== $url ) {
		$package = fabrik_connector_check_package_url( $url );
	} else {
		$package = fabrik_connector_store_zip( $request->get_body() );
	}
	if ( is_wp_error( $package ) ) {
		return $package;
	}
	$result = fabrik_connector_install_package( $package, rest_sanitize_boolean( $request->get_param( 'overwrite' ) ) );
	if ( '' === $url && file_exists( $package ) ) {
		unlink( $package );
	}
	return $result;
}

function fabrik_connector_check_package_url( $url ) {
	$scheme = wp_parse_url( $url, PHP_URL_SCHEME );
	if ( ! in_array( strtolower( (string) $scheme ), array( 'http', 'https' ), true ) || ! wp_http_validate_url( $url ) ) {
		return fabrik_connector_error( 'fabrik_invalid_url', 'url: an http(s) URL the site may download from is expected.' );
	}
	return esc_url_raw( $url );
}

function fabrik_connector_store_zip( $body ) {
	if ( strlen( $body ) < 4 || "PK\x03\x04" !== substr( $body, 0, 4 ) ) {
		return fabrik_connector_error( 'fabrik_invalid_zip', 'The request body must be a plugin zip file (or pass ?url=).' );
	}
	require_once ABSPATH . 'wp-admin/includes/file.php';
	$path = wp_tempnam( 'fabrik-plugin.zip' );
	if ( ! $path || strlen( $body ) !== file_put_contents( $path, $body ) ) {
		return fabrik_connector_error( 'fabrik_write_failed', 'Could not store the uploaded zip in a temporary file.', 500 );
	}
	return $path;
}

function fabrik_connector_direct_filesystem() {
	return 'direct';
}

function fabrik_connector_install_package( $package, $overwrite ) {
	require_once ABSPATH . 'wp-admin/includes/file.php';
	require_once ABSPATH . 'wp-admin/includes/misc.php';
	require_once ABSPATH . 'wp-admin/includes/plugin.php';
	require_once ABSPATH . 'wp-admin/includes/class-wp-upgrader.php';

	add_filter( 'filesystem_method', 'fabrik_connector_direct_filesystem' );
	$skin      = new WP_Ajax_Upgrader_Skin();
	$upgrader  = new Plugin_Upgrader( $skin );
	$installed = $upgrader->install( $package, array( 'overwrite_package' => $overwrite ) );
	remove_filter( 'filesystem_method', 'fabrik_connector_direct_filesystem' );

	if ( is_wp_error( $installed ) ) {
		return fabrik_connector_error( $installed->get_error_code(), $installed->get_error_message() );
	}
	if ( $skin->get_errors()->has_errors() ) {
		return fabrik_connector_error( $skin->get_errors()->get_error_code(), $skin->get_error_messages() );
	}
	$plugin_file = $upgrader->plugin_info();
	if ( ! $installed || ! $plugin_file ) {
		return fabrik_connector_error( 'fabrik_install_failed', 'The package was not installed (is it a plugin zip?).', 500 );
	}
	return rest_ensure_response( array( 'plugin' => preg_replace( '/\.php$/', '', $plugin_file ) ) );
}

// ------------------------------------------------------------ head output

/**
 * Prints the stored head snippets, then the SEO meta description when no SEO plugin is active.
 * A static guard keeps a theme that fires wp_head twice from duplicating tracking code.
 */
function fabrik_connector_print_head() {
	static $printed = false;
	if ( $printed ) {
		return;
	}
	$printed = true;
	foreach ( fabrik_connector_stored_array( FABRIK_SNIPPETS_OPTION ) as $name => $html ) {
		// Stored only by users with unfiltered_html: printed as given, like a theme's header code.
		echo "\n<!-- fabrik:" . esc_html( $name ) . " -->\n" . $html . "\n"; // phpcs:ignore WordPress.Security.EscapeOutput
	}
	$description = fabrik_connector_meta_description();
	if ( '' !== $description ) {
		echo '<meta name="description" content="' . esc_attr( $description ) . '" />' . "\n";
	}
}

function fabrik_connector_seo_setting( $key ) {
	$seo = fabrik_connector_stored_array( FABRIK_SEO_OPTION );
	return isset( $seo[ $key ] ) ? (string) $seo[ $key ] : '';
}

/**
 * The SEO meta of the page being shown ('' elsewhere or when unset).
 */
function fabrik_connector_page_seo( $key ) {
	return is_singular() ? (string) get_post_meta( get_queried_object_id(), $key, true ) : '';
}

/**
 * A singular page's own SEO description or excerpt, else the site-wide description; empty under an
 * SEO plugin.
 */
function fabrik_connector_meta_description() {
	if ( fabrik_connector_seo_plugin_active() ) {
		return '';
	}
	$description = fabrik_connector_page_seo( FABRIK_SEO_DESCRIPTION_META );
	if ( '' !== $description ) {
		return $description;
	}
	if ( is_singular() && has_excerpt() ) {
		return wp_strip_all_tags( get_the_excerpt() );
	}
	return fabrik_connector_seo_setting( 'description' );
}

/**
 * A page's own SEO title replaces its document title; otherwise the title template ({title}, {site},
 * {tagline}) applies to every page but the front page. Nothing changes under an SEO plugin.
 */
function fabrik_connector_title_parts( $parts ) {
	if ( fabrik_connector_seo_plugin_active() ) {
		return $parts;
	}
	$page_title = fabrik_connector_page_seo( FABRIK_SEO_TITLE_META );
	if ( '' !== $page_title ) {
		return array( 'title' => $page_title );
	}
	$template = fabrik_connector_seo_setting( 'title_template' );
	if ( '' === $template || is_front_page() ) {
		return $parts;
	}
	$title = strtr(
		$template,
		array(
			'{title}'   => isset( $parts['title'] ) ? $parts['title'] : '',
			'{site}'    => get_bloginfo( 'name', 'display' ),
			'{tagline}' => get_bloginfo( 'description', 'display' ),
		)
	);
	return array( 'title' => $title );
}

// ------------------------------------------------------------ new sites

/**
 * A new site starts without WordPress's sample content: the "Hello world!" post and its comment, the
 * "Sample Page" (the draft "Privacy Policy" page stays: the legal pages take it over). Runs once, when
 * WordPress installs the site; later runs leave every post alone.
 */
function fabrik_connector_remove_sample_content() {
	foreach ( get_comments( array( 'post_id' => 1 ) ) as $comment ) {
		wp_delete_comment( $comment->comment_ID, true );
	}
	foreach ( array( 1 => 'post', 2 => 'page' ) as $id => $type ) {
		$post = get_post( $id );
		if ( $post && $type === $post->post_type ) {
			wp_delete_post( $id, true );
		}
	}
}

// ------------------------------------------------------------ stylesheet

/**
 * The site's stylesheet (option fabrik_css, set by fabrik.deploy.wordpress_theme): the presets' design,
 * printed after the theme's global styles on every page.
 */
function fabrik_connector_enqueue_css() {
	$css = (string) get_option( FABRIK_CSS_OPTION, '' );
	if ( '' === $css ) {
		return;
	}
	$deps = wp_style_is( 'global-styles', 'registered' ) ? array( 'global-styles' ) : array();
	wp_register_style( 'fabrik-design', false, $deps, FABRIK_CONNECTOR_VERSION );
	wp_enqueue_style( 'fabrik-design' );
	wp_add_inline_style( 'fabrik-design', $css );
}

/**
 * The same stylesheet in the block editor, so that pages look there as they do on the site.
 */
function fabrik_connector_enqueue_editor_css() {
	if ( is_admin() ) {
		fabrik_connector_enqueue_css();
	}
}
