<?php
/**
 * fabrik connector part: the contact form's stored submissions.
 *
 * Each submission is a private post of the type fabrik_submission, its fields in post meta (never in the
 * post content, so no filter or shortcode ever runs on what a visitor typed). Only administrators
 * (manage_options) see them: under "Contact messages" in the dashboard (read-only; they can be deleted) and
 * over REST, /wp/v2/fabrik-submissions?status=private&context=edit. Submissions older than the form's
 * retention (in days; 0 keeps them) are deleted after each new submission and once a day.
 *
 * Copyright: (c) 2026, fabrik.deploy contributors
 * GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
 */

defined( 'ABSPATH' ) || exit;

const FABRIK_SUBMISSION_TYPE = 'fabrik_submission';
const FABRIK_SUBMISSION_FIELDS = array( 'fabrik_name', 'fabrik_email', 'fabrik_message', 'fabrik_page', 'fabrik_mail' );
const FABRIK_SUBMISSIONS_PURGE_HOOK = 'fabrik_submissions_purge';
const FABRIK_SUBMISSIONS_PURGE_BATCH = 200;

add_action( 'init', 'fabrik_submissions_register' );
add_action( 'init', 'fabrik_submissions_schedule_purge' );
add_action( FABRIK_SUBMISSIONS_PURGE_HOOK, 'fabrik_submissions_purge_expired' );
add_action( 'add_meta_boxes_' . FABRIK_SUBMISSION_TYPE, 'fabrik_submissions_meta_boxes' );
add_filter( 'manage_' . FABRIK_SUBMISSION_TYPE . '_posts_columns', 'fabrik_submissions_columns' );
add_action( 'manage_' . FABRIK_SUBMISSION_TYPE . '_posts_custom_column', 'fabrik_submissions_column', 10, 2 );

function fabrik_submissions_register() {
	$admin_only = array();
	foreach ( array( 'edit_post', 'read_post', 'delete_post', 'edit_posts', 'edit_others_posts', 'delete_posts',
		'read_private_posts', 'edit_private_posts', 'delete_private_posts', 'delete_others_posts',
		'delete_published_posts', 'edit_published_posts' ) as $capability ) {
		$admin_only[ $capability ] = 'manage_options';
	}
	// Submissions come from the form only: nobody creates or publishes one by hand.
	$admin_only['create_posts']  = 'do_not_allow';
	$admin_only['publish_posts'] = 'do_not_allow';
	register_post_type(
		FABRIK_SUBMISSION_TYPE,
		array(
			'labels'              => array(
				'name'               => 'Contact messages',
				'singular_name'      => 'Contact message',
				'all_items'          => 'Contact messages',
				'edit_item'          => 'Contact message',
				'view_item'          => 'Contact message',
				'search_items'       => 'Search messages',
				'not_found'          => 'No messages yet.',
				'not_found_in_trash' => 'No messages in the trash.',
			),
			'description'         => 'Messages sent with the contact form of the fabrik connector.',
			'public'              => false,
			'publicly_queryable'  => false,
			'exclude_from_search' => true,
			'show_ui'             => true,
			'show_in_menu'        => true,
			'show_in_nav_menus'   => false,
			'show_in_admin_bar'   => false,
			'menu_position'       => 26,
			'menu_icon'           => 'dashicons-email-alt',
			'show_in_rest'        => true,
			'rest_base'           => 'fabrik-submissions',
			'supports'            => array( 'title', 'custom-fields' ),
			'capabilities'        => $admin_only,
			'map_meta_cap'        => false,
			'query_var'           => false,
			'rewrite'             => false,
			'has_archive'         => false,
			'delete_with_user'    => false,
		)
	);
	foreach ( FABRIK_SUBMISSION_FIELDS as $key ) {
		register_post_meta(
			FABRIK_SUBMISSION_TYPE,
			$key,
			array(
				'type'              => 'string',
				'single'            => true,
				'default'           => '',
				'show_in_rest'      => true,
				'sanitize_callback' => 'fabrik_connector_sanitize_plain_text',
				'auth_callback'     => function () {
					return current_user_can( 'manage_options' );
				},
			)
		);
	}
}

/**
 * Stores a submission (values: name, email, message, already checked); the post id or a WP_Error.
 */
function fabrik_submissions_store( $values, $page_url ) {
	$meta = array(
		'fabrik_name'    => $values['name'],
		'fabrik_email'   => $values['email'],
		'fabrik_message' => $values['message'],
		'fabrik_page'    => $page_url,
		'fabrik_mail'    => 'pending',
	);
	// wp_insert_post and the meta functions unslash what they are given: slashed here, stored as typed.
	return wp_insert_post(
		wp_slash(
			array(
				'post_type'      => FABRIK_SUBMISSION_TYPE,
				'post_status'    => 'private',
				// Kses removes anything like a tag from a visitor's title: no <address>.
				'post_title'     => $values['name'] . ' (' . $values['email'] . ')',
				'comment_status' => 'closed',
				'ping_status'    => 'closed',
				'meta_input'     => $meta,
			)
		),
		true
	);
}

/**
 * Deletes the submissions older than $days days (0: none), at most a batch per call; the number deleted.
 */
function fabrik_submissions_purge( $days ) {
	if ( $days <= 0 ) {
		return 0;
	}
	$expired = get_posts(
		array(
			'post_type'        => FABRIK_SUBMISSION_TYPE,
			'post_status'      => array( 'private', 'publish', 'draft', 'pending', 'trash' ),
			'fields'           => 'ids',
			'numberposts'      => FABRIK_SUBMISSIONS_PURGE_BATCH,
			'orderby'          => 'date',
			'order'            => 'ASC',
			'suppress_filters' => true,
			'date_query'       => array(
				array(
					'column' => 'post_date_gmt',
					'before' => gmdate( 'Y-m-d H:i:s', time() - $days * DAY_IN_SECONDS ),
				),
			),
		)
	);
	foreach ( $expired as $post_id ) {
		wp_delete_post( $post_id, true );
	}
	return count( $expired );
}

function fabrik_submissions_purge_expired() {
	$settings = fabrik_contact_form_settings();
	fabrik_submissions_purge( $settings['retention_days'] );
}

/**
 * The daily purge, scheduled once (WordPress's cron runs it on a later visit, or the system's cron).
 */
function fabrik_submissions_schedule_purge() {
	if ( ! wp_next_scheduled( FABRIK_SUBMISSIONS_PURGE_HOOK ) ) {
		wp_schedule_event( time() + HOUR_IN_SECONDS, 'daily', FABRIK_SUBMISSIONS_PURGE_HOOK );
	}
}

// ------------------------------------------------------------ dashboard

/**
 * The message instead of the generic custom fields box (which would let anyone edit it) and the publish box.
 */
function fabrik_submissions_meta_boxes() {
	remove_meta_box( 'postcustom', FABRIK_SUBMISSION_TYPE, 'normal' );
	remove_meta_box( 'submitdiv', FABRIK_SUBMISSION_TYPE, 'side' );
	add_meta_box( 'fabrik-submission', 'Message', 'fabrik_submissions_meta_box', FABRIK_SUBMISSION_TYPE, 'normal', 'high' );
}

function fabrik_submissions_meta_box( $post ) {
	$rows = array(
		'Name'        => get_post_meta( $post->ID, 'fabrik_name', true ),
		'E-mail'      => get_post_meta( $post->ID, 'fabrik_email', true ),
		'Page'        => get_post_meta( $post->ID, 'fabrik_page', true ),
		'Received'    => get_the_date( '', $post ) . ' ' . get_the_time( '', $post ),
		'E-mail sent' => get_post_meta( $post->ID, 'fabrik_mail', true ),
	);
	echo '<table class="form-table" role="presentation"><tbody>';
	foreach ( $rows as $label => $value ) {
		echo '<tr><th scope="row">' . esc_html( $label ) . '</th><td>' . esc_html( $value ) . '</td></tr>';
	}
	echo '</tbody></table>';
	echo '<div class="fabrik-submission-message" style="white-space:pre-wrap">'
		. esc_html( get_post_meta( $post->ID, 'fabrik_message', true ) ) . '</div>';
}

function fabrik_submissions_columns( $columns ) {
	return array(
		'cb'             => isset( $columns['cb'] ) ? $columns['cb'] : '',
		'title'          => 'From',
		'fabrik_message' => 'Message',
		'fabrik_mail'    => 'E-mail sent',
		'date'           => 'Date',
	);
}

function fabrik_submissions_column( $column, $post_id ) {
	if ( 'fabrik_message' === $column ) {
		echo esc_html( wp_trim_words( get_post_meta( $post_id, 'fabrik_message', true ), 30 ) );
	} elseif ( 'fabrik_mail' === $column ) {
		echo esc_html( get_post_meta( $post_id, 'fabrik_mail', true ) );
	}
}
