using System.Text;
using System.Text.Encodings.Web;

namespace Corbado.Oidc.Server.Endpoints.HostedPasskeys;

/// <summary>
/// The hosted pages as minimal server-rendered HTML: every value HTML-encoded, no inline script or style (the page's
/// Content-Security-Policy allows only this origin's scripts and styles), strings in the chosen language; the script
/// reads its messages and handles from data attributes.
/// </summary>
internal static class HostedPasskeyPages
{
    /// <summary>The pages' policy: own scripts, styles and fetches only; never framed (clickjacking).</summary>
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; frame-ancestors 'none'";

    public static string SignIn(string language, string basePath, string requestHandle, string? prefill, bool openEnrolment)
    {
        string T(string key) => HostedPasskeyStrings.Get(language, key);
        var body = new StringBuilder()
            .Append("<main id=\"page\" data-page=\"sign-in\" data-base=\"").Append(Encode(basePath)).Append("\" data-request=\"").Append(Encode(requestHandle))
            .Append(Messages(language, "sign_in.working", "sign_in.failed", "sign_in.done", "sign_in.expired", "unsupported", "sign_up.failed")).Append("\">")
            .Append("<h1>").Append(Encode(T("sign_in.title"))).Append("</h1>")
            .Append("<p>").Append(Encode(T("sign_in.intro"))).Append("</p>")
            .Append("<form id=\"autofill\" action=\"#\"><label for=\"username\">").Append(Encode(T("sign_in.username"))).Append("</label>")
            .Append("<input id=\"username\" name=\"username\" type=\"text\" autocomplete=\"username webauthn\" value=\"").Append(Encode(prefill ?? "")).Append("\"></form>")
            .Append("<button id=\"passkey\" type=\"button\" class=\"primary\">").Append(Encode(T("sign_in.button"))).Append("</button>")
            .Append(openEnrolment
                ? "<p>" + Encode(T("sign_up.intro")) + "</p><button id=\"sign-up\" type=\"button\" class=\"secondary\">" + Encode(T("sign_up.button")) + "</button>"
                : "")
            .Append("<p id=\"status\" role=\"status\" aria-live=\"polite\"></p>")
            .Append("<button id=\"cancel\" type=\"button\" class=\"secondary\">").Append(Encode(T("sign_in.cancel"))).Append("</button>")
            .Append("</main>");
        return Document(language, basePath, T("sign_in.title"), body.ToString(), "sign-in.js");
    }

    public static string Enrol(string language, string basePath, string token)
    {
        string T(string key) => HostedPasskeyStrings.Get(language, key);
        var body = new StringBuilder()
            .Append("<main id=\"page\" data-page=\"enrol\" data-base=\"").Append(Encode(basePath)).Append("\" data-token=\"").Append(Encode(token))
            .Append(Messages(language, "enrol.working", "enrol.failed", "enrol.done", "unsupported")).Append("\">")
            .Append("<h1>").Append(Encode(T("enrol.title"))).Append("</h1>")
            .Append("<p>").Append(Encode(T("enrol.intro"))).Append("</p>")
            .Append("<label for=\"name\">").Append(Encode(T("enrol.name"))).Append("</label>")
            .Append("<input id=\"name\" name=\"name\" type=\"text\" maxlength=\"100\" autocomplete=\"off\" value=\"Passkey\">")
            .Append("<button id=\"create\" type=\"button\" class=\"primary\">").Append(Encode(T("enrol.button"))).Append("</button>")
            .Append("<p id=\"status\" role=\"status\" aria-live=\"polite\"></p>")
            .Append("</main>");
        return Document(language, basePath, T("enrol.title"), body.ToString(), "enrol.js");
    }

    /// <summary>The management page's policy: the pages' policy, and its forms post only to this origin.</summary>
    public const string ManagementContentSecurityPolicy = ContentSecurityPolicy + "; form-action 'self'";

    /// <summary>
    /// The management page: no script, one form per change, each carrying the page's single-use token (a cross-site form
    /// cannot know it); the outcome of the last change in a status region.
    /// </summary>
    public static string Manage(string language, string basePath, string pageToken, IReadOnlyList<Persistence.PasskeyCredential> credentials, string? outcomeKey)
    {
        string T(string key) => HostedPasskeyStrings.Get(language, key);
        var action = Encode(basePath) + "/passkeys/manage";
        var hidden = "<input type=\"hidden\" name=\"token\" value=\"" + Encode(pageToken) + "\">";
        var body = new StringBuilder()
            .Append("<main id=\"page\" data-page=\"manage\"><h1>").Append(Encode(T("manage.title"))).Append("</h1>")
            .Append("<p id=\"status\" role=\"status\">").Append(outcomeKey is null ? "" : Encode(T(outcomeKey))).Append("</p>")
            .Append("<p>").Append(Encode(T(credentials.Count == 0 ? "manage.none" : "manage.intro"))).Append("</p>");
        if (credentials.Count > 0)
        {
            body.Append("<ul class=\"passkeys\">");
        }

        for (var i = 0; i < credentials.Count; i++)
        {
            var credential = credentials[i];
            var id = Encode(credential.Id);
            body.Append("<li><h2>").Append(Encode(credential.Name)).Append("</h2><dl>")
                .Append("<dt>").Append(Encode(T("manage.created"))).Append("</dt><dd>").Append(Time(credential.CreatedAt)).Append("</dd>")
                .Append("<dt>").Append(Encode(T("manage.last_used"))).Append("</dt><dd>")
                .Append(credential.LastUsedAt is { } used ? Time(used) : Encode(T("manage.never"))).Append("</dd></dl>")
                .Append("<form method=\"post\" action=\"").Append(action).Append("\">").Append(hidden)
                .Append("<input type=\"hidden\" name=\"action\" value=\"rename\"><input type=\"hidden\" name=\"credential\" value=\"").Append(id).Append("\">")
                .Append("<label for=\"name-").Append(i).Append("\">").Append(Encode(T("manage.name"))).Append("</label>")
                .Append("<input id=\"name-").Append(i).Append("\" name=\"name\" type=\"text\" maxlength=\"100\" required autocomplete=\"off\" value=\"")
                .Append(Encode(credential.Name)).Append("\">")
                .Append("<button type=\"submit\" class=\"secondary\">").Append(Encode(T("manage.rename"))).Append("</button></form>")
                .Append("<form method=\"post\" action=\"").Append(action).Append("\">").Append(hidden)
                .Append("<input type=\"hidden\" name=\"action\" value=\"delete\"><input type=\"hidden\" name=\"credential\" value=\"").Append(id).Append("\">");
            if (credentials.Count == 1)
            {
                body.Append("<p>").Append(Encode(T("manage.only_one"))).Append("</p>");
            }

            body.Append("<button type=\"submit\" class=\"danger\">").Append(Encode(T("manage.delete"))).Append("</button></form></li>");
        }

        if (credentials.Count > 0)
        {
            body.Append("</ul>");
        }

        return Document(language, basePath, T("manage.title"), body.Append("</main>").ToString(), script: null);
    }

    private static string Time(long unixSeconds)
        => DateTimeOffset.FromUnixTimeSeconds(unixSeconds).UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The sign-out confirmation (RP-Initiated Logout 1.0 §2 without id_token_hint): a plain form, no script.</summary>
    public static string ConfirmSignOut(string language, string basePath, string confirmation)
    {
        string T(string key) => HostedPasskeyStrings.Get(language, key);
        var body = new StringBuilder()
            .Append("<main><h1>").Append(Encode(T("logout.title"))).Append("</h1><p>").Append(Encode(T("logout.confirm"))).Append("</p>")
            .Append("<form method=\"post\" action=\"").Append(Encode(basePath)).Append("/endsession/confirm\">")
            .Append("<input type=\"hidden\" name=\"confirmation\" value=\"").Append(Encode(confirmation)).Append("\">")
            .Append("<input type=\"hidden\" name=\"ui_locales\" value=\"").Append(Encode(language)).Append("\">")
            .Append("<button id=\"sign-out\" type=\"submit\" class=\"primary\">").Append(Encode(T("logout.button"))).Append("</button>")
            .Append("</form></main>");
        return Document(language, basePath, T("logout.title"), body.ToString(), script: null);
    }

    /// <summary>A page that only states something (an expired request, an unusable link): no script.</summary>
    public static string Notice(string language, string basePath, string titleKey, string textKey)
        => Document(language, basePath, HostedPasskeyStrings.Get(language, titleKey),
            "<main><h1>" + Encode(HostedPasskeyStrings.Get(language, titleKey)) + "</h1><p>" + Encode(HostedPasskeyStrings.Get(language, textKey)) + "</p></main>", script: null);

    private static string Messages(string language, params string[] keys)
    {
        var attributes = new StringBuilder();
        foreach (var key in keys)
        {
            attributes.Append("\" data-msg-").Append(key.Replace('.', '-').Replace('_', '-')).Append("=\"").Append(Encode(HostedPasskeyStrings.Get(language, key)));
        }

        return attributes.ToString();
    }

    private static string Document(string language, string basePath, string title, string body, string? script)
        => "<!DOCTYPE html><html lang=\"" + language + "\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            + "<title>" + Encode(title) + "</title><link rel=\"stylesheet\" href=\"" + Encode(basePath) + "/passkeys/assets/passkeys.css\"></head><body>" + body
            + (script is null ? "" : "<script src=\"" + Encode(basePath) + "/passkeys/assets/passkeys.js\"></script><script src=\"" + Encode(basePath) + "/passkeys/assets/" + script + "\"></script>")
            + "</body></html>";

    private static string Encode(string value) => HtmlEncoder.Default.Encode(value);
}
