<?php
/**
 * fabrik connector part: a contact form that needs no plugin.
 *
 * [fabrik_contact_form] (what fabrik.deploy's contact-form section writes, in a shortcode block) renders the
 * form on the server: name, e-mail and message with their labels, in the site's language (contact-form-texts).
 * The visitor's browser posts it back to the same page, where, before the page is rendered:
 *
 * 1. the rate limit applies: at most rate_limit posts per minute from one address (0: no limit), else 429;
 * 2. a filled honeypot field (hidden from people, filled by robots) ends it as if sent, nothing stored;
 * 3. the nonce must be valid (else "the form had expired", what was typed kept);
 * 4. the fields are checked (required, a valid e-mail address, lengths): each problem is shown on the page
 *    next to its field and in a summary, what was typed kept (HTTP 400);
 * 5. the submission is stored (submissions.php) and sent with wp_mail to the form's recipient (the site's
 *    administrator e-mail when none is set), Reply-To the visitor; then the browser is redirected (303) to
 *    the page with ?fabrik_contact=sent, which shows the confirmation: a reload sends nothing again.
 *
 * With provider="contact-form-7" or provider="wpforms" the shortcode shows that plugin's form instead while
 * the plugin is active (form="<id>", or the plugin's first form), and its own form otherwise.
 *
 * The settings (option fabrik_contact_form, route /fabrik/v1/contact-form, manage_options): recipient,
 * rate_limit, retention_days, language, texts. fabrik.deploy.wordpress_contact_form writes them.
 *
 * Copyright: (c) 2026, fabrik.deploy contributors
 * GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
 */

defined( 'ABSPATH' ) || exit;

const FABRIK_CONTACT_FORM_OPTION    = 'fabrik_contact_form';
const FABRIK_CONTACT_FORM_SHORTCODE = 'fabrik_contact_form';
const FABRIK_CONTACT_FORM_NONCE     = 'fabrik_contact_form';
const FABRIK_CONTACT_FORM_SENT_ARG  = 'fabrik_contact';
const FABRIK_CONTACT_FORM_ANCHOR    = 'fabrik-contact';
const FABRIK_CONTACT_FORM_WINDOW    = 60;
// The longest accepted value of each field (characters).
const FABRIK_CONTACT_FORM_LIMITS = array(
	'name'    => 100,
	'email'   => 254,
	'message' => 5000,
);
const FABRIK_CONTACT_FORM_MAX_TEXT = 500;
// Form plugins the form hands over to while they are active: their shortcode and the post type of their forms.
const FABRIK_CONTACT_FORM_PROVIDERS = array(
	'contact-form-7' => array( 'contact-form-7', 'wpcf7_contact_form' ),
	'wpforms'        => array( 'wpforms', 'wpforms' ),
);

add_shortcode( FABRIK_CONTACT_FORM_SHORTCODE, 'fabrik_contact_form_shortcode' );
add_action( 'template_redirect', 'fabrik_contact_form_handle_post', 5 );
add_action( 'rest_api_init', 'fabrik_contact_form_register_route' );

// ------------------------------------------------------------ settings

function fabrik_contact_form_defaults() {
	return array(
		'recipient'      => '',
		'rate_limit'     => 5,
		'retention_days' => 90,
		'language'       => '',
		'texts'          => array(),
	);
}

/**
 * The stored settings over the defaults (a damaged option falls back to the defaults setting by setting).
 */
function fabrik_contact_form_settings() {
	$settings = fabrik_contact_form_defaults();
	$stored   = get_option( FABRIK_CONTACT_FORM_OPTION, array() );
	foreach ( is_array( $stored ) ? array_intersect_key( $stored, $settings ) : array() as $name => $value ) {
		$checked = fabrik_contact_form_check_setting( $name, $value );
		if ( ! is_wp_error( $checked ) ) {
			$settings[ $name ] = $checked;
		}
	}
	return $settings;
}

/**
 * Some settings, validated: the clean values, or a WP_Error naming the first bad one.
 */
function fabrik_contact_form_check_settings( $values ) {
	$defaults = fabrik_contact_form_defaults();
	$unknown  = array_diff( array_keys( $values ), array_keys( $defaults ) );
	if ( $unknown ) {
		return fabrik_connector_error( 'fabrik_invalid_setting', sprintf( '%s: unknown setting (known: %s).', reset( $unknown ), implode( ', ', array_keys( $defaults ) ) ) );
	}
	$clean = array();
	foreach ( $values as $name => $value ) {
		$checked = fabrik_contact_form_check_setting( $name, $value );
		if ( is_wp_error( $checked ) ) {
			return $checked;
		}
		$clean[ $name ] = $checked;
	}
	return $clean;
}

function fabrik_contact_form_check_setting( $name, $value ) {
	switch ( $name ) {
		case 'recipient':
			if ( ! is_string( $value ) || ( '' !== $value && ( strlen( $value ) > 254 || ! is_email( $value ) ) ) ) {
				return fabrik_connector_error( 'fabrik_invalid_setting', 'recipient: an e-mail address, or empty for the site administrator\'s, is expected.' );
			}
			return $value;
		case 'rate_limit':
		case 'retention_days':
			$high = 'rate_limit' === $name ? 1000 : 3650;
			if ( ! is_int( $value ) || $value < 0 || $value > $high ) {
				return fabrik_connector_error( 'fabrik_invalid_setting', sprintf( '%s: a whole number 0..%d is expected.', $name, $high ) );
			}
			return $value;
		case 'language':
			if ( '' !== $value && ! in_array( $value, FABRIK_CONTACT_FORM_LANGUAGES, true ) ) {
				return fabrik_connector_error( 'fabrik_invalid_setting', sprintf( 'language: empty (the site\'s) or one of %s is expected.', implode( ', ', FABRIK_CONTACT_FORM_LANGUAGES ) ) );
			}
			return $value;
		case 'texts':
			return fabrik_contact_form_check_texts( $value );
	}
	return $value;
}

function fabrik_contact_form_check_texts( $value ) {
	$all = fabrik_contact_form_all_texts();
	if ( ! is_array( $value ) || ( $value && wp_is_numeric_array( $value ) ) ) {
		return fabrik_connector_error( 'fabrik_invalid_setting', 'texts: an object of text name => text is expected.' );
	}
	$clean = array();
	foreach ( $value as $key => $text ) {
		if ( ! isset( $all['en'][ $key ] ) ) {
			return fabrik_connector_error( 'fabrik_invalid_setting', sprintf( 'texts.%s: unknown text (known: %s).', $key, implode( ', ', array_keys( $all['en'] ) ) ) );
		}
		if ( ! is_string( $text ) || '' === trim( $text ) || strlen( $text ) > FABRIK_CONTACT_FORM_MAX_TEXT ) {
			return fabrik_connector_error( 'fabrik_invalid_setting', sprintf( 'texts.%s: a text of 1 to %d bytes is expected.', $key, FABRIK_CONTACT_FORM_MAX_TEXT ) );
		}
		$clean[ $key ] = fabrik_connector_sanitize_plain_text( $text );
	}
	return $clean;
}

function fabrik_contact_form_register_route() {
	register_rest_route(
		FABRIK_CONNECTOR_NAMESPACE,
		'/contact-form',
		array(
			array(
				'methods'             => 'GET',
				'callback'            => 'fabrik_contact_form_get_settings',
				'permission_callback' => 'fabrik_contact_form_may_manage',
			),
			array(
				'methods'             => 'POST',
				'callback'            => 'fabrik_contact_form_set_settings',
				'permission_callback' => 'fabrik_contact_form_may_manage',
			),
		)
	);
}

function fabrik_contact_form_may_manage() {
	return current_user_can( 'manage_options' );
}

/**
 * The settings as stored (texts as an object), the site's language for the form (the one it speaks when the
 * settings name none) and the administrator's e-mail (where messages go when the settings name no recipient).
 */
function fabrik_contact_form_describe() {
	$settings          = fabrik_contact_form_settings();
	$settings['texts'] = (object) $settings['texts'];
	return array(
		'settings'      => $settings,
		'site_language' => fabrik_contact_form_language( array( 'language' => '' ) ),
		'admin_email'   => (string) get_option( 'admin_email' ),
	);
}

function fabrik_contact_form_get_settings() {
	return rest_ensure_response( fabrik_contact_form_describe() );
}

/**
 * Replaces the settings with the given object (a setting left out takes its default).
 */
function fabrik_contact_form_set_settings( WP_REST_Request $request ) {
	$params = fabrik_connector_json_object( $request );
	if ( is_wp_error( $params ) ) {
		return $params;
	}
	$clean = fabrik_contact_form_check_settings( $params );
	if ( is_wp_error( $clean ) ) {
		return $clean;
	}
	update_option( FABRIK_CONTACT_FORM_OPTION, array_merge( fabrik_contact_form_defaults(), $clean ), false );
	return rest_ensure_response( fabrik_contact_form_describe() );
}

// ------------------------------------------------------------ a post of the form

/**
 * What the current request's post of the form gave (null without one): values, errors (field => message),
 * notice (a message for the whole form) and the HTTP status it was answered with.
 */
function fabrik_contact_form_result( $result = null ) {
	static $stored = null;
	if ( null !== $result ) {
		$stored = $result;
	}
	return $stored;
}

function fabrik_contact_form_posted( $name ) {
	// phpcs:ignore WordPress.Security.NonceVerification -- the nonce is checked in fabrik_contact_form_handle_post.
	$value = isset( $_POST[ $name ] ) && is_string( $_POST[ $name ] ) ? wp_unslash( $_POST[ $name ] ) : '';
	$value = wp_check_invalid_utf8( $value, true );
	// Control characters go; line breaks stay (as \n) in the message.
	return preg_replace( '/[\x00-\x08\x0B\x0C\x0E-\x1F\x7F]/u', '', str_replace( array( "\r\n", "\r" ), "\n", $value ) );
}

/**
 * The client's address for the rate limit: REMOTE_ADDR (behind a reverse proxy, the web server must put the
 * visitor's there, as the WordPress image's Apache does with mod_remoteip; the filter can say otherwise).
 */
function fabrik_contact_form_client_ip() {
	$address = isset( $_SERVER['REMOTE_ADDR'] ) ? (string) $_SERVER['REMOTE_ADDR'] : '';
	return (string) apply_filters( 'fabrik_contact_form_client_ip', $address );
}

/**
 * Counts a post against the client's rate limit; false when the limit is reached within the minute.
 */
function fabrik_contact_form_take_rate( $limit ) {
	if ( $limit <= 0 ) {
		return true;
	}
	$key   = 'fabrik_cf_rate_' . substr( hash_hmac( 'sha256', fabrik_contact_form_client_ip(), wp_salt( 'nonce' ) ), 0, 32 );
	$now   = time();
	$entry = get_transient( $key );
	if ( ! is_array( $entry ) || ! isset( $entry['start'], $entry['count'] ) || $entry['start'] + FABRIK_CONTACT_FORM_WINDOW <= $now ) {
		$entry = array(
			'start' => $now,
			'count' => 0,
		);
	}
	if ( $entry['count'] >= $limit ) {
		return false;
	}
	++$entry['count'];
	set_transient( $key, $entry, max( 1, $entry['start'] + FABRIK_CONTACT_FORM_WINDOW - $now ) );
	return true;
}

/**
 * The URL of the page being shown (where the form posts to and redirects back to), without a query.
 */
function fabrik_contact_form_page_url() {
	$url = is_singular() ? get_permalink( get_queried_object() ) : home_url( '/' );
	return (string) apply_filters( 'fabrik_contact_form_page_url', $url ? $url : home_url( '/' ) );
}

/**
 * Field => message for each problem of the posted values.
 */
function fabrik_contact_form_problems( $values, $texts ) {
	$labels   = array(
		'name'    => $texts['name_label'],
		'email'   => $texts['email_label'],
		'message' => $texts['message_label'],
	);
	$problems = array();
	foreach ( array( 'name', 'email', 'message' ) as $field ) {
		$value = trim( $values[ $field ] );
		if ( '' === $value ) {
			$problems[ $field ] = $texts[ $field . '_missing' ];
		} elseif ( mb_strlen( $value ) > FABRIK_CONTACT_FORM_LIMITS[ $field ] ) {
			$problems[ $field ] = fabrik_contact_form_text(
				$texts,
				'too_long',
				array(
					'label' => $labels[ $field ],
					'max'   => FABRIK_CONTACT_FORM_LIMITS[ $field ],
				)
			);
		} elseif ( 'email' === $field && ! is_email( $value ) ) {
			$problems[ $field ] = $texts['email_invalid'];
		}
	}
	return $problems;
}

function fabrik_contact_form_send( $settings, $texts, $values, $page_url ) {
	$recipient = '' !== $settings['recipient'] ? $settings['recipient'] : (string) get_option( 'admin_email' );
	$site      = wp_specialchars_decode( get_bloginfo( 'name' ), ENT_QUOTES );
	$subject   = '[' . $site . '] ' . fabrik_contact_form_text( $texts, 'mail_subject', array( 'name' => $values['name'] ) );
	$body      = $texts['name_label'] . ': ' . $values['name'] . "\n"
		. $texts['email_label'] . ': ' . $values['email'] . "\n"
		. $texts['mail_page'] . ': ' . $page_url . "\n\n"
		. $values['message'] . "\n";
	// The address passed is_email(): no line break can reach the header.
	return wp_mail( $recipient, preg_replace( '/\s+/', ' ', $subject ), $body, array( 'Reply-To: ' . $values['email'] ) );
}

function fabrik_contact_form_redirect_sent() {
	$url = add_query_arg( FABRIK_CONTACT_FORM_SENT_ARG, 'sent', fabrik_contact_form_page_url() ) . '#' . FABRIK_CONTACT_FORM_ANCHOR;
	wp_safe_redirect( $url, 303 );
	exit;
}

/**
 * Handles a post of the form (see the top of this file) before the page is rendered.
 */
function fabrik_contact_form_handle_post() {
	$method = isset( $_SERVER['REQUEST_METHOD'] ) ? strtoupper( (string) $_SERVER['REQUEST_METHOD'] ) : '';
	// phpcs:ignore WordPress.Security.NonceVerification -- checked below, after the rate limit and the honeypot.
	if ( 'POST' !== $method || ! isset( $_POST['fabrik_contact'] ) ) {
		return;
	}
	$settings = fabrik_contact_form_settings();
	$texts    = fabrik_contact_form_texts( $settings );
	$values   = array(
		'name'    => fabrik_contact_form_posted( 'fabrik_name' ),
		'email'   => fabrik_contact_form_posted( 'fabrik_email' ),
		'message' => fabrik_contact_form_posted( 'fabrik_message' ),
	);
	$result   = array(
		'values' => $values,
		'errors' => array(),
		'notice' => '',
		'status' => 400,
	);
	if ( ! fabrik_contact_form_take_rate( $settings['rate_limit'] ) ) {
		$result['notice'] = $texts['rate_limited'];
		$result['status'] = 429;
		header( 'Retry-After: ' . FABRIK_CONTACT_FORM_WINDOW );
	} elseif ( '' !== trim( fabrik_contact_form_posted( 'fabrik_website' ) ) ) {
		fabrik_contact_form_redirect_sent(); // a robot: told it worked, nothing kept
	} elseif ( ! wp_verify_nonce( fabrik_contact_form_posted( 'fabrik_nonce' ), FABRIK_CONTACT_FORM_NONCE ) ) {
		$result['notice'] = $texts['expired'];
	} else {
		$result['errors'] = fabrik_contact_form_problems( $values, $texts );
	}
	if ( ! $result['notice'] && ! $result['errors'] ) {
		$clean    = array_map( 'trim', $values );
		$page_url = fabrik_contact_form_page_url();
		$stored   = fabrik_submissions_store( $clean, $page_url );
		if ( ! is_wp_error( $stored ) && $stored ) {
			$sent = fabrik_contact_form_send( $settings, $texts, $clean, $page_url );
			update_post_meta( $stored, 'fabrik_mail', $sent ? 'sent' : 'failed' );
			fabrik_submissions_purge( $settings['retention_days'] );
			fabrik_contact_form_redirect_sent();
		}
		$result['notice'] = $texts['server_error'];
		$result['status'] = 500;
	}
	fabrik_contact_form_result( $result );
	status_header( $result['status'] );
	nocache_headers();
}

// ------------------------------------------------------------ the form

/**
 * [fabrik_contact_form provider="..." form="..."]: another plugin's form while it is active, else the form.
 */
function fabrik_contact_form_shortcode( $attributes ) {
	$attributes = shortcode_atts(
		array(
			'provider' => 'fabrik',
			'form'     => '',
		),
		$attributes,
		FABRIK_CONTACT_FORM_SHORTCODE
	);
	$handed_over = fabrik_contact_form_provider_form( (string) $attributes['provider'], absint( $attributes['form'] ) );
	return null !== $handed_over ? $handed_over : fabrik_contact_form_html();
}

/**
 * The form of an active form plugin (its form $form_id, or its first), or null.
 */
function fabrik_contact_form_provider_form( $provider, $form_id ) {
	if ( ! array_key_exists( $provider, FABRIK_CONTACT_FORM_PROVIDERS ) ) {
		return null;
	}
	list( $shortcode, $post_type ) = FABRIK_CONTACT_FORM_PROVIDERS[ $provider ];
	if ( ! shortcode_exists( $shortcode ) ) {
		return null;
	}
	if ( ! $form_id ) {
		$first   = get_posts(
			array(
				'post_type'   => $post_type,
				'post_status' => 'publish',
				'numberposts' => 1,
				'orderby'     => 'ID',
				'order'       => 'ASC',
				'fields'      => 'ids',
			)
		);
		$form_id = $first ? (int) $first[0] : 0;
	}
	if ( ! $form_id || get_post_type( $form_id ) !== $post_type ) {
		return null;
	}
	return do_shortcode( sprintf( '[%s id="%d"]', $shortcode, $form_id ) );
}

function fabrik_contact_form_enqueue_style() {
	if ( wp_style_is( 'fabrik-contact-form', 'enqueued' ) ) {
		return;
	}
	wp_register_style( 'fabrik-contact-form', false, array(), FABRIK_CONNECTOR_VERSION );
	wp_add_inline_style(
		'fabrik-contact-form',
		'.fabrik-contact__form{display:grid;gap:1.25rem;max-width:40rem}'
		. '.fabrik-contact__field{display:flex;flex-direction:column;gap:.35rem;margin:0}'
		. '.fabrik-contact__field input,.fabrik-contact__field textarea{box-sizing:border-box;width:100%;padding:.65rem .8rem;'
		. 'font:inherit;color:inherit;background:transparent;border:1px solid currentColor;border-radius:4px}'
		. '.fabrik-contact__field [aria-invalid=true]{border:2px solid #b32d2e}'
		. '.fabrik-contact__error{color:#b32d2e;font-weight:600}'
		. '.fabrik-contact__notice{margin:0 0 1.25rem;padding:1rem 1.25rem;border-left:4px solid #b32d2e}'
		. '.fabrik-contact__notice--success{border-left-color:#2e7d32}'
		. '.fabrik-contact__notice :where(p,ul){margin:0}.fabrik-contact__notice ul{margin-top:.5rem}'
		. '.fabrik-contact__note,.fabrik-contact__privacy{margin:0;font-size:.9em}'
		. '.fabrik-contact__hp{position:absolute!important;left:-10000px!important;width:1px;height:1px;overflow:hidden}'
	);
	wp_enqueue_style( 'fabrik-contact-form' );
}

/**
 * The form's HTML: the confirmation after a sent message, else the form with what the post gave (values,
 * errors, notice) or empty, the message pre-filled from ?enquiry=<product> (the products section's buttons).
 */
function fabrik_contact_form_html() {
	static $count = 0;
	++$count;
	$anchor   = 1 === $count ? FABRIK_CONTACT_FORM_ANCHOR : FABRIK_CONTACT_FORM_ANCHOR . '-' . $count;
	$settings = fabrik_contact_form_settings();
	$texts    = fabrik_contact_form_texts( $settings );
	$result   = fabrik_contact_form_result();
	$page_url = fabrik_contact_form_page_url();
	fabrik_contact_form_enqueue_style();
	// phpcs:ignore WordPress.Security.NonceVerification -- a link's parameter, shown as text.
	if ( null === $result && isset( $_GET[ FABRIK_CONTACT_FORM_SENT_ARG ] ) && 'sent' === $_GET[ FABRIK_CONTACT_FORM_SENT_ARG ] ) {
		return '<div class="fabrik-contact" id="' . esc_attr( $anchor ) . '">'
			. '<div class="fabrik-contact__notice fabrik-contact__notice--success" role="status"><p>' . esc_html( $texts['success'] ) . '</p>'
			. '<p><a href="' . esc_url( $page_url . '#' . $anchor ) . '">' . esc_html( $texts['another'] ) . '</a></p></div></div>';
	}
	$values = null !== $result ? $result['values'] : array(
		'name'    => '',
		'email'   => '',
		'message' => fabrik_contact_form_enquiry( $texts ),
	);
	$errors = null !== $result ? $result['errors'] : array();
	$html   = '<div class="fabrik-contact" id="' . esc_attr( $anchor ) . '">';
	if ( null !== $result && ( $errors || $result['notice'] ) ) {
		$html .= fabrik_contact_form_problem_notice( $anchor, $texts, $errors, $result['notice'] );
	}
	$html .= '<form class="fabrik-contact__form" method="post" action="' . esc_url( $page_url . '#' . $anchor ) . '">';
	$html .= '<p class="fabrik-contact__note">' . esc_html( $texts['required_note'] ) . '</p>';
	$fields = array(
		'name'    => array( 'input', 'text', 'name' ),
		'email'   => array( 'input', 'email', 'email' ),
		'message' => array( 'textarea', '', '' ),
	);
	foreach ( $fields as $field => $kind ) {
		$html .= fabrik_contact_form_field( $anchor, $field, $kind, $texts[ $field . '_label' ], $values[ $field ], isset( $errors[ $field ] ) ? $errors[ $field ] : '' );
	}
	// The honeypot: out of sight and out of the tab order; people leave it empty, robots fill it.
	$html .= '<p class="fabrik-contact__hp" aria-hidden="true"><label for="' . esc_attr( $anchor . '-website' ) . '">'
		. esc_html( $texts['honeypot_label'] ) . '</label><input type="text" id="' . esc_attr( $anchor . '-website' )
		. '" name="fabrik_website" value="" tabindex="-1" autocomplete="off"></p>';
	$html .= '<input type="hidden" name="fabrik_contact" value="1">';
	$html .= '<input type="hidden" name="fabrik_nonce" value="' . esc_attr( wp_create_nonce( FABRIK_CONTACT_FORM_NONCE ) ) . '">';
	$privacy = get_privacy_policy_url();
	$html   .= '<p class="fabrik-contact__privacy">' . esc_html( $texts['privacy'] )
		. ( $privacy ? ' <a href="' . esc_url( $privacy ) . '">' . esc_html( $texts['privacy_link'] ) . '</a>' : '' ) . '</p>';
	$html   .= '<div class="wp-block-buttons"><div class="wp-block-button"><button type="submit" class="wp-block-button__link wp-element-button">'
		. esc_html( $texts['submit'] ) . '</button></div></div>';
	return $html . '</form></div>';
}

/**
 * The message a product's "enquire" link pre-fills (?enquiry=<product>), or ''.
 */
function fabrik_contact_form_enquiry( $texts ) {
	// phpcs:ignore WordPress.Security.NonceVerification -- a link's parameter, used as the field's text.
	$product = isset( $_GET['enquiry'] ) && is_string( $_GET['enquiry'] ) ? sanitize_text_field( wp_unslash( $_GET['enquiry'] ) ) : '';
	if ( '' === $product ) {
		return '';
	}
	return fabrik_contact_form_text( $texts, 'enquiry', array( 'product' => mb_substr( $product, 0, 200 ) ) ) . "\n\n";
}

function fabrik_contact_form_problem_notice( $anchor, $texts, $errors, $notice ) {
	$html = '<div class="fabrik-contact__notice fabrik-contact__notice--error" role="alert">';
	if ( $notice ) {
		$html .= '<p>' . esc_html( $notice ) . '</p>';
	}
	if ( $errors ) {
		$html .= '<p>' . esc_html( $texts['error_summary'] ) . '</p><ul>';
		foreach ( $errors as $field => $message ) {
			$html .= '<li><a href="#' . esc_attr( $anchor . '-' . $field ) . '">' . esc_html( $message ) . '</a></li>';
		}
		$html .= '</ul>';
	}
	return $html . '</div>';
}

/**
 * One labelled field: its label, its problem (when any, tied to it with aria-describedby), its input.
 */
function fabrik_contact_form_field( $anchor, $field, $kind, $label, $value, $problem ) {
	list( $tag, $type, $autocomplete ) = $kind;
	$id         = $anchor . '-' . $field;
	$attributes = ' id="' . esc_attr( $id ) . '" name="fabrik_' . $field . '" required maxlength="' . FABRIK_CONTACT_FORM_LIMITS[ $field ] . '"';
	$html       = '<p class="fabrik-contact__field"><label for="' . esc_attr( $id ) . '">' . esc_html( $label )
		. '<span class="fabrik-contact__required" aria-hidden="true"> *</span></label>';
	if ( '' !== $problem ) {
		$attributes .= ' aria-invalid="true" aria-describedby="' . esc_attr( $id . '-error' ) . '"';
		$html       .= '<span class="fabrik-contact__error" id="' . esc_attr( $id . '-error' ) . '">' . esc_html( $problem ) . '</span>';
	}
	if ( 'textarea' === $tag ) {
		$html .= '<textarea' . $attributes . ' rows="6">' . esc_textarea( $value ) . '</textarea>';
	} else {
		$html .= '<input type="' . $type . '"' . $attributes . ' autocomplete="' . $autocomplete . '" value="' . esc_attr( $value ) . '">';
	}
	return $html . '</p>';
}
