<?php
/**
 * fabrik connector part: the texts of the contact form, in the site's language.
 *
 * The form speaks the language of the site (its locale, e.g. de_DE: German) when it is one of
 * FABRIK_CONTACT_FORM_LANGUAGES, English otherwise; the form's settings may name the language and replace
 * any text (fabrik.deploy.wordpress_contact_form's texts). Texts are plain text (escaped where printed); the
 * placeholders {label}, {max}, {name} and {product} are replaced, never interpreted otherwise.
 *
 * Copyright: (c) 2026, fabrik.deploy contributors
 * GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
 */

defined( 'ABSPATH' ) || exit;

const FABRIK_CONTACT_FORM_LANGUAGES = array( 'en', 'de', 'fr', 'es', 'it', 'nl' );

/**
 * Every text of the form, by language; the keys of 'en' are the keys a site may replace.
 */
function fabrik_contact_form_all_texts() {
	return array(
		'en' => array(
			'name_label'      => 'Name',
			'email_label'     => 'E-mail',
			'message_label'   => 'Message',
			'required_note'   => 'Fields marked * are required.',
			'submit'          => 'Send message',
			'success'         => 'Thank you. Your message has been sent; we will get back to you soon.',
			'another'         => 'Send another message',
			'error_summary'   => 'Your message was not sent. Please correct the following:',
			'name_missing'    => 'Please enter your name.',
			'email_missing'   => 'Please enter your e-mail address.',
			'email_invalid'   => 'Please enter a valid e-mail address, such as name@example.com.',
			'message_missing' => 'Please enter your message.',
			'too_long'        => '{label} is too long: at most {max} characters.',
			'expired'         => 'The form had expired. Please send it again.',
			'rate_limited'    => 'Too many messages were sent from your connection. Please wait a minute and try again.',
			'server_error'    => 'Your message could not be saved. Please try again later.',
			'honeypot_label'  => 'Leave this field empty',
			'privacy'         => 'We use your details only to answer your message.',
			'privacy_link'    => 'Privacy policy',
			'enquiry'         => 'I would like to know more about: {product}',
			'mail_subject'    => 'Message from {name}',
			'mail_page'       => 'Page',
		),
		'de' => array(
			'name_label'      => 'Name',
			'email_label'     => 'E-Mail',
			'message_label'   => 'Nachricht',
			'required_note'   => 'Pflichtfelder sind mit * markiert.',
			'submit'          => 'Nachricht senden',
			'success'         => 'Vielen Dank. Ihre Nachricht wurde gesendet; wir melden uns bald bei Ihnen.',
			'another'         => 'Weitere Nachricht senden',
			'error_summary'   => 'Ihre Nachricht wurde nicht gesendet. Bitte korrigieren Sie Folgendes:',
			'name_missing'    => 'Bitte geben Sie Ihren Namen ein.',
			'email_missing'   => 'Bitte geben Sie Ihre E-Mail-Adresse ein.',
			'email_invalid'   => 'Bitte geben Sie eine gültige E-Mail-Adresse ein, etwa name@example.com.',
			'message_missing' => 'Bitte geben Sie Ihre Nachricht ein.',
			'too_long'        => "Das Feld \u{201E}{label}\u{201C} ist zu lang: höchstens {max} Zeichen.",
			'expired'         => 'Das Formular war abgelaufen. Bitte senden Sie es erneut.',
			'rate_limited'    => 'Von Ihrer Verbindung wurden zu viele Nachrichten gesendet. Bitte warten Sie eine Minute und versuchen Sie es erneut.',
			'server_error'    => 'Ihre Nachricht konnte nicht gespeichert werden. Bitte versuchen Sie es später erneut.',
			'honeypot_label'  => 'Dieses Feld bitte leer lassen',
			'privacy'         => 'Wir verwenden Ihre Angaben nur, um Ihre Nachricht zu beantworten.',
			'privacy_link'    => 'Datenschutzerklärung',
			'enquiry'         => 'Ich möchte mehr erfahren über: {product}',
			'mail_subject'    => 'Nachricht von {name}',
			'mail_page'       => 'Seite',
		),
		'fr' => array(
			'name_label'      => 'Nom',
			'email_label'     => 'E-mail',
			'message_label'   => 'Message',
			'required_note'   => 'Les champs marqués * sont obligatoires.',
			'submit'          => 'Envoyer le message',
			'success'         => 'Merci. Votre message a été envoyé ; nous vous répondrons rapidement.',
			'another'         => 'Envoyer un autre message',
			'error_summary'   => "Votre message n\u{2019}a pas été envoyé. Veuillez corriger les points suivants :",
			'name_missing'    => 'Veuillez indiquer votre nom.',
			'email_missing'   => 'Veuillez indiquer votre adresse e-mail.',
			'email_invalid'   => 'Veuillez indiquer une adresse e-mail valide, par exemple nom@example.com.',
			'message_missing' => 'Veuillez écrire votre message.',
			'too_long'        => 'Le champ « {label} » est trop long : {max} caractères au maximum.',
			'expired'         => "Le formulaire avait expiré. Veuillez l\u{2019}envoyer à nouveau.",
			'rate_limited'    => 'Trop de messages ont été envoyés depuis votre connexion. Veuillez patienter une minute, puis réessayer.',
			'server_error'    => "Votre message n\u{2019}a pas pu être enregistré. Veuillez réessayer plus tard.",
			'honeypot_label'  => 'Laissez ce champ vide',
			'privacy'         => 'Nous utilisons vos données uniquement pour répondre à votre message.',
			'privacy_link'    => 'Politique de confidentialité',
			'enquiry'         => 'Je souhaite en savoir plus sur : {product}',
			'mail_subject'    => 'Message de {name}',
			'mail_page'       => 'Page',
		),
		'es' => array(
			'name_label'      => 'Nombre',
			'email_label'     => 'Correo electrónico',
			'message_label'   => 'Mensaje',
			'required_note'   => 'Los campos marcados con * son obligatorios.',
			'submit'          => 'Enviar mensaje',
			'success'         => 'Gracias. Su mensaje se ha enviado; le responderemos pronto.',
			'another'         => 'Enviar otro mensaje',
			'error_summary'   => 'Su mensaje no se ha enviado. Corrija lo siguiente:',
			'name_missing'    => 'Escriba su nombre.',
			'email_missing'   => 'Escriba su dirección de correo electrónico.',
			'email_invalid'   => 'Escriba una dirección de correo electrónico válida, por ejemplo nombre@example.com.',
			'message_missing' => 'Escriba su mensaje.',
			'too_long'        => 'El campo «{label}» es demasiado largo: como máximo {max} caracteres.',
			'expired'         => 'El formulario había caducado. Envíelo de nuevo.',
			'rate_limited'    => 'Se han enviado demasiados mensajes desde su conexión. Espere un minuto y vuelva a intentarlo.',
			'server_error'    => 'No se ha podido guardar su mensaje. Inténtelo de nuevo más tarde.',
			'honeypot_label'  => 'Deje este campo vacío',
			'privacy'         => 'Usamos sus datos solo para responder a su mensaje.',
			'privacy_link'    => 'Política de privacidad',
			'enquiry'         => 'Quisiera saber más sobre: {product}',
			'mail_subject'    => 'Mensaje de {name}',
			'mail_page'       => 'Página',
		),
		'it' => array(
			'name_label'      => 'Nome',
			'email_label'     => 'E-mail',
			'message_label'   => 'Messaggio',
			'required_note'   => 'I campi contrassegnati con * sono obbligatori.',
			'submit'          => 'Invia messaggio',
			'success'         => 'Grazie. Il tuo messaggio è stato inviato; ti risponderemo presto.',
			'another'         => 'Invia un altro messaggio',
			'error_summary'   => 'Il messaggio non è stato inviato. Correggi quanto segue:',
			'name_missing'    => 'Inserisci il tuo nome.',
			'email_missing'   => 'Inserisci il tuo indirizzo e-mail.',
			'email_invalid'   => 'Inserisci un indirizzo e-mail valido, ad esempio nome@example.com.',
			'message_missing' => 'Scrivi il tuo messaggio.',
			'too_long'        => 'Il campo «{label}» è troppo lungo: al massimo {max} caratteri.',
			'expired'         => 'Il modulo era scaduto. Invialo di nuovo.',
			'rate_limited'    => 'Dalla tua connessione sono stati inviati troppi messaggi. Attendi un minuto e riprova.',
			'server_error'    => 'Non è stato possibile salvare il messaggio. Riprova più tardi.',
			'honeypot_label'  => 'Lascia vuoto questo campo',
			'privacy'         => 'Usiamo i tuoi dati solo per rispondere al tuo messaggio.',
			'privacy_link'    => 'Informativa sulla privacy',
			'enquiry'         => 'Vorrei sapere di più su: {product}',
			'mail_subject'    => 'Messaggio da {name}',
			'mail_page'       => 'Pagina',
		),
		'nl' => array(
			'name_label'      => 'Naam',
			'email_label'     => 'E-mail',
			'message_label'   => 'Bericht',
			'required_note'   => 'Velden met * zijn verplicht.',
			'submit'          => 'Bericht versturen',
			'success'         => 'Bedankt. Uw bericht is verstuurd; we nemen snel contact met u op.',
			'another'         => 'Nog een bericht versturen',
			'error_summary'   => 'Uw bericht is niet verstuurd. Corrigeer het volgende:',
			'name_missing'    => 'Vul uw naam in.',
			'email_missing'   => 'Vul uw e-mailadres in.',
			'email_invalid'   => 'Vul een geldig e-mailadres in, zoals naam@example.com.',
			'message_missing' => 'Vul uw bericht in.',
			'too_long'        => "Het veld \u{2018}{label}\u{2019} is te lang: hoogstens {max} tekens.",
			'expired'         => 'Het formulier was verlopen. Verstuur het opnieuw.',
			'rate_limited'    => 'Er zijn te veel berichten vanaf uw verbinding verstuurd. Wacht een minuut en probeer het opnieuw.',
			'server_error'    => 'Uw bericht kon niet worden opgeslagen. Probeer het later opnieuw.',
			'honeypot_label'  => 'Laat dit veld leeg',
			'privacy'         => 'We gebruiken uw gegevens alleen om uw bericht te beantwoorden.',
			'privacy_link'    => 'Privacybeleid',
			'enquiry'         => 'Ik wil graag meer weten over: {product}',
			'mail_subject'    => 'Bericht van {name}',
			'mail_page'       => 'Pagina',
		),
	);
}

/**
 * The language of the form: the settings' language when set, else the site's locale when it is one of
 * FABRIK_CONTACT_FORM_LANGUAGES (de_DE, de_CH: de), else English.
 */
function fabrik_contact_form_language( $settings ) {
	if ( '' !== $settings['language'] ) {
		return $settings['language'];
	}
	$language = strtolower( strtok( (string) get_locale(), '_-' ) );
	return in_array( $language, FABRIK_CONTACT_FORM_LANGUAGES, true ) ? $language : 'en';
}

/**
 * The texts of the form: its language's, with the site's own texts (settings) over them.
 */
function fabrik_contact_form_texts( $settings ) {
	$all   = fabrik_contact_form_all_texts();
	$texts = array_merge( $all['en'], $all[ fabrik_contact_form_language( $settings ) ], $settings['texts'] );
	/**
	 * Filters the contact form's texts (key => plain text) before use.
	 */
	return apply_filters( 'fabrik_contact_form_texts', $texts, $settings );
}

/**
 * A text with its placeholders ({label}, {max}, {name}, {product}) replaced: plain text, still to be escaped.
 */
function fabrik_contact_form_text( $texts, $key, $values = array() ) {
	$pairs = array();
	foreach ( $values as $name => $value ) {
		$pairs[ '{' . $name . '}' ] = (string) $value;
	}
	return strtr( $texts[ $key ], $pairs );
}
