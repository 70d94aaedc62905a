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
const FABRIK_ORGANIZATION_OPTION  = 'fabrik_organization';
const FABRIK_DESCRIPTION_LENGTH   = 160;
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
add_action( 'wp_footer', 'fabrik_connector_print_consent_banner', 50 );

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
		FABRIK_ORGANIZATION_OPTION => (object) fabrik_connector_stored_array( FABRIK_ORGANIZATION_OPTION ),
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
 * The organisation behind the site, for its JSON-LD: name, email, telephone, address (plain texts).
 */
function fabrik_connector_check_organization( $value ) {
	$allowed = array( 'name', 'email', 'telephone', 'address' );
	if ( ! is_array( $value ) || ( $value && wp_is_numeric_array( $value ) ) || array_diff( array_keys( $value ), $allowed ) ) {
		return fabrik_connector_error(
			'fabrik_invalid_option',
			sprintf( '%s: an object with some of %s is expected.', FABRIK_ORGANIZATION_OPTION, implode( ', ', $allowed ) )
		);
	}
	return fabrik_connector_check_seo_texts( FABRIK_ORGANIZATION_OPTION, $value );
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
		case FABRIK_ORGANIZATION_OPTION:
			return fabrik_connector_check_organization( $value );
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
	if ( fabrik_connector_seo_plugin_active() ) {
		return;
	}
	$description = fabrik_connector_meta_description();
	if ( '' !== $description ) {
		echo '<meta name="description" content="' . esc_attr( $description ) . '" />' . "\n";
	}
	fabrik_connector_print_social_meta( $description );
	fabrik_connector_print_organization();
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
 * A singular page's own SEO description, its excerpt, or its first text; else the site-wide description,
 * else the tagline. Empty under an SEO plugin.
 */
function fabrik_connector_meta_description() {
	if ( fabrik_connector_seo_plugin_active() ) {
		return '';
	}
	$description = fabrik_connector_page_seo( FABRIK_SEO_DESCRIPTION_META );
	if ( '' !== $description ) {
		return $description;
	}
	if ( is_singular() ) {
		$post = get_queried_object();
		if ( has_excerpt( $post ) ) {
			return fabrik_connector_plain_excerpt( $post->post_excerpt );
		}
		$first = fabrik_connector_first_text( $post->post_content );
		if ( '' !== $first ) {
			return $first;
		}
	}
	$description = fabrik_connector_seo_setting( 'description' );
	return '' !== $description ? $description : get_bloginfo( 'description', 'display' );
}

/**
 * Text as a description: tags and invisible word joiners dropped, white space collapsed, at most
 * FABRIK_DESCRIPTION_LENGTH characters (cut at a word, with an ellipsis).
 */
function fabrik_connector_plain_excerpt( $text ) {
	$text = html_entity_decode( wp_strip_all_tags( (string) $text ), ENT_QUOTES | ENT_HTML5, 'UTF-8' );
	$text = trim( preg_replace( '/\s+/u', ' ', str_replace( "\u{2060}", '', $text ) ) );
	if ( mb_strlen( $text ) <= FABRIK_DESCRIPTION_LENGTH ) {
		return $text;
	}
	$cut = mb_substr( $text, 0, FABRIK_DESCRIPTION_LENGTH - 1 );
	$space = mb_strrpos( $cut, ' ' );
	return rtrim( false !== $space ? mb_substr( $cut, 0, $space ) : $cut, ' ,.;:' ) . '…';
}

/**
 * The first paragraph of a post's content (its first text a visitor reads), as a description.
 */
function fabrik_connector_first_text( $content ) {
	if ( preg_match_all( '#<p[^>]*>(.*?)</p>#s', (string) $content, $paragraphs ) ) {
		foreach ( $paragraphs[1] as $paragraph ) {
			$text = fabrik_connector_plain_excerpt( $paragraph );
			if ( '' !== $text ) {
				return $text;
			}
		}
	}
	return '';
}

/**
 * The picture that stands for the page when it is shared: its featured image, else its first image, else the
 * site's logo, else the site icon ('' when there is none).
 */
function fabrik_connector_share_image() {
	if ( is_singular() ) {
		$post = get_queried_object();
		$featured = get_the_post_thumbnail_url( $post, 'large' );
		if ( $featured ) {
			return $featured;
		}
		if ( preg_match( '#<img[^>]+src="([^"]+)"#', (string) $post->post_content, $image ) ) {
			return html_entity_decode( $image[1], ENT_QUOTES | ENT_HTML5, 'UTF-8' );
		}
	}
	foreach ( array( (int) get_option( 'site_logo' ), (int) get_theme_mod( 'custom_logo' ) ) as $logo ) {
		if ( $logo && wp_attachment_is_image( $logo ) ) {
			return (string) wp_get_attachment_image_url( $logo, 'full' );
		}
	}
	return (string) get_site_icon_url( 512 );
}

/**
 * Open Graph and Twitter card tags: title, description, address and picture of the page.
 */
function fabrik_connector_print_social_meta( $description ) {
	$url   = is_singular() ? get_permalink( get_queried_object() ) : home_url( add_query_arg( array() ) );
	$image = fabrik_connector_share_image();
	$tags  = array(
		'og:type'             => is_singular( 'post' ) ? 'article' : 'website',
		'og:site_name'        => get_bloginfo( 'name', 'display' ),
		'og:title'            => wp_get_document_title(),
		'og:description'      => $description,
		'og:url'              => $url,
		'og:image'            => $image,
		'twitter:card'        => $image ? 'summary_large_image' : 'summary',
		'twitter:title'       => wp_get_document_title(),
		'twitter:description' => $description,
		'twitter:image'       => $image,
	);
	foreach ( $tags as $property => $content ) {
		if ( '' === (string) $content ) {
			continue;
		}
		$attribute = 0 === strpos( $property, 'og:' ) ? 'property' : 'name';
		$value     = in_array( $property, array( 'og:url', 'og:image', 'twitter:image' ), true ) ? esc_url( $content ) : esc_attr( $content );
		printf( '<meta %s="%s" content="%s" />' . "\n", $attribute, esc_attr( $property ), $value ); // phpcs:ignore WordPress.Security.EscapeOutput
	}
}

/**
 * The organisation behind the site as JSON-LD (schema.org Organization): its name, address, logo and
 * contact details (option fabrik_organization, set by fabrik.deploy.wordpress_head).
 */
function fabrik_connector_print_organization() {
	$stored = fabrik_connector_stored_array( FABRIK_ORGANIZATION_OPTION );
	$data   = array(
		'@context' => 'https://schema.org',
		'@type'    => 'Organization',
		'name'     => ! empty( $stored['name'] ) ? $stored['name'] : get_bloginfo( 'name' ),
		'url'      => home_url( '/' ),
	);
	$logo = (int) get_option( 'site_logo' );
	if ( $logo && wp_attachment_is_image( $logo ) ) {
		$data['logo'] = wp_get_attachment_image_url( $logo, 'full' );
	}
	foreach ( array( 'email', 'telephone', 'address' ) as $key ) {
		if ( ! empty( $stored[ $key ] ) ) {
			$data[ $key ] = $stored[ $key ];
		}
	}
	$json = wp_json_encode( $data, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE | JSON_HEX_TAG | JSON_HEX_AMP );
	echo '<script type="application/ld+json">' . $json . "</script>\n"; // phpcs:ignore WordPress.Security.EscapeOutput
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

// ------------------------------------------------------------ consent

/**
 * True when a stored head snippet waits for the visitor's consent (a script of type text/plain with
 * data-fabrik-consent, as fabrik.deploy.wordpress_head writes GA4 and Tag Manager).
 */
function fabrik_connector_needs_consent() {
	foreach ( fabrik_connector_stored_array( FABRIK_SNIPPETS_OPTION ) as $html ) {
		if ( false !== strpos( (string) $html, 'data-fabrik-consent=' ) ) {
			return true;
		}
	}
	return false;
}

/**
 * The consent banner: nothing that waits for consent runs, and no cookie is set, until the visitor agrees.
 * The choice is kept in the browser (localStorage, no cookie); a link to #cookie-settings opens the banner
 * again. Accessible: a labelled region, two buttons of equal weight, reachable by keyboard.
 */
function fabrik_connector_print_consent_banner() {
	if ( ! fabrik_connector_needs_consent() ) {
		return;
	}
	$texts = array(
		'label'   => __( 'Cookie consent', 'fabrik-connector' ),
		'text'    => __( 'We would like to measure visits with analytics cookies to improve this site. Nothing is measured unless you agree.', 'fabrik-connector' ),
		'privacy' => __( 'Privacy policy', 'fabrik-connector' ),
		'accept'  => __( 'Accept analytics', 'fabrik-connector' ),
		'decline' => __( 'Decline', 'fabrik-connector' ),
	);
	$privacy = get_privacy_policy_url();
	?>
<section id="fabrik-consent" class="fabrik-consent" role="region" aria-label="<?php echo esc_attr( $texts['label'] ); ?>" hidden>
	<p><?php echo esc_html( $texts['text'] ); ?><?php if ( $privacy ) : ?> <a href="<?php echo esc_url( $privacy ); ?>"><?php echo esc_html( $texts['privacy'] ); ?></a><?php endif; ?></p>
	<div class="fabrik-consent__buttons">
		<button type="button" data-fabrik-consent-choice="granted"><?php echo esc_html( $texts['accept'] ); ?></button>
		<button type="button" data-fabrik-consent-choice="denied"><?php echo esc_html( $texts['decline'] ); ?></button>
	</div>
</section>
<style>
.fabrik-consent{position:fixed;z-index:99999;inset-inline:1rem;bottom:1rem;max-width:34rem;margin-inline:auto;padding:1.25rem 1.5rem;border-radius:.9rem;background:#fff;color:#111;box-shadow:0 10px 40px rgb(0 0 0/.25);font-size:.95rem;line-height:1.5}
.fabrik-consent[hidden]{display:none}
.fabrik-consent p{margin:0 0 1rem}
.fabrik-consent a{color:inherit}
.fabrik-consent__buttons{display:flex;flex-wrap:wrap;gap:.75rem}
.fabrik-consent button{flex:1 1 10rem;padding:.7em 1.2em;border-radius:.5rem;border:2px solid #111;background:#fff;color:#111;font:inherit;font-weight:600;cursor:pointer}
.fabrik-consent button[data-fabrik-consent-choice="granted"]{background:#111;color:#fff}
.fabrik-consent button:focus-visible{outline:3px solid #2563eb;outline-offset:2px}
</style>
<script>
(function () {
	var key = 'fabrik-consent', banner = document.getElementById('fabrik-consent');
	function stored() { try { return window.localStorage.getItem(key); } catch (e) { return null; } }
	function run() {
		document.querySelectorAll('script[type="text/plain"][data-fabrik-consent]').forEach(function (inert) {
			var live = document.createElement('script');
			if (inert.dataset.src) { live.src = inert.dataset.src; live.async = true; } else { live.text = inert.text; }
			inert.parentNode.replaceChild(live, inert);
		});
	}
	function choose(choice) {
		try { window.localStorage.setItem(key, choice); } catch (e) {}
		banner.hidden = true;
		if (choice === 'granted') { run(); }
	}
	banner.addEventListener('click', function (event) {
		var choice = event.target.getAttribute('data-fabrik-consent-choice');
		if (choice) { choose(choice); }
	});
	document.addEventListener('click', function (event) {
		var link = event.target.closest && event.target.closest('a[href$="#cookie-settings"]');
		if (link) { event.preventDefault(); banner.hidden = false; banner.querySelector('button').focus(); }
	});
	if (stored() === 'granted') { run(); } else if (stored() !== 'denied') { banner.hidden = false; }
})();
</script>
	<?php
}
