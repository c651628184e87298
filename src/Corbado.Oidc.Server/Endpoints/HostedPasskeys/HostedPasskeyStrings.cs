using System.Collections.Frozen;
using Microsoft.Net.Http.Headers;

namespace Corbado.Oidc.Server.Endpoints.HostedPasskeys;

/// <summary>
/// The hosted pages' strings, English and German, chosen by the request's <c>ui_locales</c> (OIDC Core §3.1.2.1) and
/// then the browser's <c>Accept-Language</c>; English otherwise.
/// </summary>
internal static class HostedPasskeyStrings
{
    public static readonly IReadOnlyList<string> Languages = ["en", "de"];

    private static readonly FrozenDictionary<string, FrozenDictionary<string, string>> Strings = new Dictionary<string, FrozenDictionary<string, string>>
    {
        ["en"] = new Dictionary<string, string>
        {
            ["sign_in.title"] = "Sign in with a passkey",
            ["sign_in.intro"] = "Use the passkey saved on this device, your phone or a security key.",
            ["sign_in.username"] = "User name (optional, lets your browser suggest a passkey)",
            ["sign_in.button"] = "Sign in with a passkey",
            ["sign_in.cancel"] = "Cancel and return to the application",
            ["sign_in.working"] = "Waiting for your passkey…",
            ["sign_in.failed"] = "That passkey could not be used. Try again, or cancel and return to the application.",
            ["sign_in.done"] = "Signed in. Returning to the application…",
            ["sign_in.expired"] = "This sign-in has expired or was already completed. Return to the application and start again.",
            ["unsupported"] = "This browser cannot use passkeys. Cancel and return to the application, or try another browser.",
            ["enrol.title"] = "Create a passkey",
            ["enrol.intro"] = "A passkey lets you sign in with your fingerprint, face, screen lock or a security key, without a password.",
            ["enrol.name"] = "Name for this passkey",
            ["enrol.button"] = "Create a passkey",
            ["enrol.working"] = "Waiting for your device…",
            ["enrol.done"] = "Your passkey was created. You can close this page and sign in with it.",
            ["enrol.failed"] = "The passkey could not be created. Try again.",
            ["enrol.invalid.title"] = "This link cannot be used",
            ["enrol.invalid"] = "The enrolment link is invalid, was already used or has expired. Ask for a new one.",
            ["sign_up.intro"] = "New here? Create a passkey for a new account.",
            ["sign_up.button"] = "Create a passkey for a new account",
            ["sign_up.failed"] = "The passkey could not be created. Try again, or cancel and return to the application.",
            ["manage.title"] = "Your passkeys",
            ["manage.intro"] = "Rename or delete the passkeys you sign in with. This page stays open for 15 minutes.",
            ["manage.created"] = "Created",
            ["manage.last_used"] = "Last used",
            ["manage.never"] = "never",
            ["manage.name"] = "Name",
            ["manage.rename"] = "Rename",
            ["manage.delete"] = "Delete this passkey",
            ["manage.renamed"] = "The passkey was renamed.",
            ["manage.deleted"] = "The passkey was deleted.",
            ["manage.unchanged"] = "Nothing was changed: the passkey no longer exists or the name was empty.",
            ["manage.none"] = "You have no passkey left. You cannot sign in with a passkey until you create a new one with an enrolment link.",
            ["manage.only_one"] = "This is your only passkey. You can delete it, but then you cannot sign in until you create a new one.",
            ["manage.invalid.title"] = "This link cannot be used",
            ["manage.invalid"] = "The link is invalid, was already used or has expired. Ask for a new one.",
            ["logout.title"] = "Sign out?",
            ["logout.confirm"] = "An application asked to sign you out of every application you signed in to with your passkey in this browser.",
            ["logout.button"] = "Sign out",
            ["logout.done.title"] = "You are signed out",
            ["logout.done"] = "You are signed out in this browser. You can close this page.",
            ["logout.invalid.title"] = "This sign-out request cannot be used",
            ["logout.invalid"] = "The sign-out request is invalid or has expired. Nothing was changed; return to the application.",
        }.ToFrozenDictionary(StringComparer.Ordinal),
        ["de"] = new Dictionary<string, string>
        {
            ["sign_in.title"] = "Mit einem Passkey anmelden",
            ["sign_in.intro"] = "Verwenden Sie den Passkey auf diesem Gerät, Ihrem Telefon oder einem Sicherheitsschlüssel.",
            ["sign_in.username"] = "Benutzername (optional, damit Ihr Browser einen Passkey vorschlägt)",
            ["sign_in.button"] = "Mit einem Passkey anmelden",
            ["sign_in.cancel"] = "Abbrechen und zur Anwendung zurückkehren",
            ["sign_in.working"] = "Warten auf Ihren Passkey…",
            ["sign_in.failed"] = "Dieser Passkey konnte nicht verwendet werden. Versuchen Sie es erneut oder brechen Sie ab.",
            ["sign_in.done"] = "Angemeldet. Zurück zur Anwendung…",
            ["sign_in.expired"] = "Diese Anmeldung ist abgelaufen oder wurde bereits abgeschlossen. Kehren Sie zur Anwendung zurück und beginnen Sie neu.",
            ["unsupported"] = "Dieser Browser kann keine Passkeys verwenden. Brechen Sie ab oder versuchen Sie einen anderen Browser.",
            ["enrol.title"] = "Passkey erstellen",
            ["enrol.intro"] = "Mit einem Passkey melden Sie sich per Fingerabdruck, Gesicht, Bildschirmsperre oder Sicherheitsschlüssel an, ohne Passwort.",
            ["enrol.name"] = "Name für diesen Passkey",
            ["enrol.button"] = "Passkey erstellen",
            ["enrol.working"] = "Warten auf Ihr Gerät…",
            ["enrol.done"] = "Ihr Passkey wurde erstellt. Sie können diese Seite schließen und sich damit anmelden.",
            ["enrol.failed"] = "Der Passkey konnte nicht erstellt werden. Versuchen Sie es erneut.",
            ["enrol.invalid.title"] = "Dieser Link kann nicht verwendet werden",
            ["enrol.invalid"] = "Der Link ist ungültig, wurde bereits verwendet oder ist abgelaufen. Fordern Sie einen neuen an.",
            ["sign_up.intro"] = "Neu hier? Erstellen Sie einen Passkey für ein neues Konto.",
            ["sign_up.button"] = "Passkey für ein neues Konto erstellen",
            ["sign_up.failed"] = "Der Passkey konnte nicht erstellt werden. Versuchen Sie es erneut oder brechen Sie ab.",
            ["manage.title"] = "Ihre Passkeys",
            ["manage.intro"] = "Benennen Sie die Passkeys, mit denen Sie sich anmelden, um oder löschen Sie sie. Diese Seite bleibt 15 Minuten geöffnet.",
            ["manage.created"] = "Erstellt",
            ["manage.last_used"] = "Zuletzt verwendet",
            ["manage.never"] = "nie",
            ["manage.name"] = "Name",
            ["manage.rename"] = "Umbenennen",
            ["manage.delete"] = "Diesen Passkey löschen",
            ["manage.renamed"] = "Der Passkey wurde umbenannt.",
            ["manage.deleted"] = "Der Passkey wurde gelöscht.",
            ["manage.unchanged"] = "Nichts wurde geändert: Der Passkey existiert nicht mehr oder der Name war leer.",
            ["manage.none"] = "Sie haben keinen Passkey mehr. Sie können sich erst wieder anmelden, wenn Sie mit einem Registrierungslink einen neuen erstellen.",
            ["manage.only_one"] = "Dies ist Ihr einziger Passkey. Sie können ihn löschen, können sich danach aber erst wieder anmelden, wenn Sie einen neuen erstellen.",
            ["manage.invalid.title"] = "Dieser Link kann nicht verwendet werden",
            ["manage.invalid"] = "Der Link ist ungültig, wurde bereits verwendet oder ist abgelaufen. Fordern Sie einen neuen an.",
            ["logout.title"] = "Abmelden?",
            ["logout.confirm"] = "Eine Anwendung möchte Sie von allen Anwendungen abmelden, bei denen Sie sich in diesem Browser mit Ihrem Passkey angemeldet haben.",
            ["logout.button"] = "Abmelden",
            ["logout.done.title"] = "Sie sind abgemeldet",
            ["logout.done"] = "Sie sind in diesem Browser abgemeldet. Sie können diese Seite schließen.",
            ["logout.invalid.title"] = "Diese Abmeldeanfrage kann nicht verwendet werden",
            ["logout.invalid"] = "Die Abmeldeanfrage ist ungültig oder abgelaufen. Es wurde nichts geändert; kehren Sie zur Anwendung zurück.",
        }.ToFrozenDictionary(StringComparer.Ordinal),
    }.ToFrozenDictionary(StringComparer.Ordinal);

    public static string Get(string language, string key) => Strings[language][key];

    /// <summary>The first supported language of <paramref name="uiLocales"/>, else of Accept-Language by quality, else English.</summary>
    public static string Choose(string? uiLocales, HttpRequest request)
    {
        foreach (var tag in (uiLocales ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (Supported(tag) is { } language)
            {
                return language;
            }
        }

        if (StringWithQualityHeaderValue.TryParseList(request.Headers.AcceptLanguage, out var accepted))
        {
            foreach (var value in accepted.Where(v => v.Quality is not 0).OrderByDescending(v => v.Quality ?? 1))
            {
                if (Supported(value.Value.ToString()) is { } language)
                {
                    return language;
                }
            }
        }

        return "en";
    }

    private static string? Supported(string tag)
    {
        var primary = tag.Split('-', 2)[0].ToLowerInvariant();
        return Languages.Contains(primary) ? primary : null;
    }
}
