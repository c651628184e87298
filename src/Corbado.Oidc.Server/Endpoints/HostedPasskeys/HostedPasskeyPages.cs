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

    public static string SignIn(string language, string basePath, string requestHandle, string? prefill)
    {
        string T(string key) => HostedPasskeyStrings.Get(language, key);
        var body = new StringBuilder()
            .Append("<main id=\"page\" data-page=\"sign-in\" data-base=\"").Append(Encode(basePath)).Append("\" data-request=\"").Append(Encode(requestHandle))
            .Append(Messages(language, "sign_in.working", "sign_in.failed", "sign_in.done", "sign_in.expired", "unsupported")).Append("\">")
            .Append("<h1>").Append(Encode(T("sign_in.title"))).Append("</h1>")
            .Append("<p>").Append(Encode(T("sign_in.intro"))).Append("</p>")
            .Append("<form id=\"autofill\" action=\"#\"><label for=\"username\">").Append(Encode(T("sign_in.username"))).Append("</label>")
            .Append("<input id=\"username\" name=\"username\" type=\"text\" autocomplete=\"username webauthn\" value=\"").Append(Encode(prefill ?? "")).Append("\"></form>")
            .Append("<button id=\"passkey\" type=\"button\" class=\"primary\">").Append(Encode(T("sign_in.button"))).Append("</button>")
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
