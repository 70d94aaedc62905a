<?php
/**
 * fabrik connector part: can this site get a plugin?
 *
 * GET /fabrik/v1/plugins/sources?slugs=woocommerce,contact-form-7 (install_plugins) answers, per slug, whether
 * the plugin is installed and otherwise whether the site can download it from wordpress.org, asking
 * wordpress.org's plugin API from the site itself (the site, not the controller, downloads a plugin). Read
 * only: fabrik.deploy asks before it installs anything, so that a plugin the site cannot have stops the run
 * with a clear message instead of halfway.
 *
 * Copyright: (c) 2026, fabrik.deploy contributors
 * GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
 */

defined( 'ABSPATH' ) || exit;

const FABRIK_MAX_PLUGIN_SOURCES = 20;

add_action( 'rest_api_init', 'fabrik_connector_register_plugin_sources_route' );

function fabrik_connector_register_plugin_sources_route() {
	register_rest_route(
		FABRIK_CONNECTOR_NAMESPACE,
		'/plugins/sources',
		array(
			'methods'             => 'GET',
			'callback'            => 'fabrik_connector_plugin_sources',
			'permission_callback' => function () {
				return current_user_can( 'install_plugins' );
			},
		)
	);
}

/**
 * The slugs of the installed plugins (their directory, or the file name of a single-file plugin).
 */
function fabrik_connector_installed_plugin_slugs() {
	require_once ABSPATH . 'wp-admin/includes/plugin.php';
	$slugs = array();
	foreach ( array_keys( get_plugins() ) as $file ) {
		$slugs[] = false === strpos( $file, '/' ) ? preg_replace( '/\.php$/', '', $file ) : strtok( $file, '/' );
	}
	return $slugs;
}

/**
 * What wordpress.org's plugin API tells the site about $slug: array( downloadable, version, error ).
 */
function fabrik_connector_plugin_directory_entry( $slug ) {
	require_once ABSPATH . 'wp-admin/includes/plugin-install.php';
	$info = plugins_api(
		'plugin_information',
		array(
			'slug'   => $slug,
			'fields' => array(
				'sections'    => false,
				'description' => false,
				'reviews'     => false,
				'banners'     => false,
				'icons'       => false,
			),
		)
	);
	if ( is_wp_error( $info ) ) {
		// plugins_api's own message is a paragraph with a link; the transport's reason is in the error data.
		$reason = $info->get_error_data();
		$text   = is_string( $reason ) && '' !== $reason ? $reason : $info->get_error_message();
		return array( false, '', trim( wp_strip_all_tags( $text ) ) );
	}
	$link = is_object( $info ) && isset( $info->download_link ) ? (string) $info->download_link : '';
	if ( '' === $link ) {
		return array( false, '', 'wordpress.org offers no download of this plugin.' );
	}
	return array( true, isset( $info->version ) ? (string) $info->version : '', '' );
}

function fabrik_connector_plugin_sources( WP_REST_Request $request ) {
	$slugs = array_values( array_unique( wp_parse_list( (string) $request->get_param( 'slugs' ) ) ) );
	if ( ! $slugs || count( $slugs ) > FABRIK_MAX_PLUGIN_SOURCES ) {
		return fabrik_connector_error(
			'fabrik_invalid_slugs',
			sprintf( 'slugs: 1 to %d plugin slugs, comma-separated, are expected.', FABRIK_MAX_PLUGIN_SOURCES )
		);
	}
	foreach ( $slugs as $slug ) {
		if ( ! preg_match( '/^[A-Za-z0-9._-]+$/', $slug ) ) {
			return fabrik_connector_error( 'fabrik_invalid_slugs', 'slugs: letters, digits, ., _ and - are expected.' );
		}
	}
	$installed = fabrik_connector_installed_plugin_slugs();
	$sources   = array();
	foreach ( $slugs as $slug ) {
		if ( in_array( $slug, $installed, true ) ) {
			$sources[ $slug ] = array(
				'installed'    => true,
				'downloadable' => null,
				'version'      => '',
				'error'        => '',
			);
			continue;
		}
		list( $downloadable, $version, $error ) = fabrik_connector_plugin_directory_entry( $slug );
		$sources[ $slug ] = array(
			'installed'    => false,
			'downloadable' => $downloadable,
			'version'      => $version,
			'error'        => $error,
		);
	}
	return rest_ensure_response( $sources );
}
