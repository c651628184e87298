using Corbado.Oidc.Server.Endpoints.HostedPasskeys;
using Corbado.Oidc.Server.Login.Sessions;
using Corbado.Oidc.Server.Protocol;
using Microsoft.Extensions.Primitives;

namespace Corbado.Oidc.Server.Endpoints.Sessions;

/// <summary>
/// The end-session endpoint (RP-Initiated Logout 1.0, docs/sessions-and-logout.md), GET and POST, advertised in
/// discovery as <c>end_session_endpoint</c>: a valid request ends the session (on every replica: it is a row) and
/// clears the cookie, then redirects to the registered <c>post_logout_redirect_uri</c> with <c>state</c> or shows that
/// the user is signed out; one without <c>id_token_hint</c> asks the user first; one that cannot be validated shows an
/// error page and never redirects. Pages in English or German (<c>ui_locales</c>, then Accept-Language), under the
/// hosted pages' strict Content-Security-Policy, no script.
/// </summary>
internal static class EndSessionEndpoints
{
    public const string Path = "/endsession";

    private static readonly string[] Understood = ["id_token_hint", "client_id", "post_logout_redirect_uri", "state", "ui_locales", "logout_hint"];

    public static WebApplication MapEndSession(this WebApplication app)
    {
        app.MapGet(Path, EndSessionAsync);
        app.MapPost(Path, EndSessionAsync);
        app.MapPost(Path + "/confirm", ConfirmAsync);
        return app;
    }

    /// <summary>The query parameter of the GET a cross-site POST is answered with: the handle of its kept parameters.</summary>
    public const string KeptRequestParameter = "logout_request";

    private static async Task<IResult> EndSessionAsync(HttpContext context, RpInitiatedLogout logout)
    {
        IEnumerable<KeyValuePair<string, StringValues>> source = context.Request.Query;
        if (HttpMethods.IsGet(context.Request.Method) && context.Request.Query.ContainsKey(KeptRequestParameter))
        {
            // The parameters of a cross-site POST, kept server-side (below): single use, and nothing else in the URL.
            var kept = context.Request.Query.Count == 1 && context.Request.Query[KeptRequestParameter] is [{ } handle]
                ? await logout.TakeKeptAsync(handle, context.RequestAborted)
                : null;
            if (kept is null)
            {
                return Page(context, StatusCodes.Status400BadRequest, null, "logout.invalid.title", "logout.invalid");
            }

            source = kept.Select(p => KeyValuePair.Create(p.Key, new StringValues(p.Value)));
        }
        else if (HttpMethods.IsPost(context.Request.Method))
        {
            if (!FormContentType.IsForm(context.Request))
            {
                return Page(context, StatusCodes.Status400BadRequest, null, "logout.invalid.title", "logout.invalid");
            }

            source = await context.Request.ReadFormAsync(context.RequestAborted);
        }

        // RFC 6749 §3.1: a parameter sent twice makes the request invalid.
        var parameters = source.Where(p => Understood.Contains(p.Key, StringComparer.Ordinal)).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        string? Get(string name) => parameters.TryGetValue(name, out var value) && value.Count == 1 && !string.IsNullOrEmpty(value[0]) ? value[0] : null;
        var uiLocales = Get("ui_locales");
        if (parameters.Values.Any(value => value.Count > 1))
        {
            return Page(context, StatusCodes.Status400BadRequest, uiLocales, "logout.invalid.title", "logout.invalid");
        }

        // A relying party's cross-site form POST carries no SameSite=Lax cookie: the same request as a top-level GET does.
        // Its parameters stay on the server under a single-use handle, and only the handle goes into that GET's URL: an
        // id_token_hint in a URL would end up in access logs, the browser's history and Referer headers.
        var sessionHandle = SessionCookie.Read(context.Request);
        if (sessionHandle is null && HttpMethods.IsPost(context.Request.Method) && context.Request.Cookies.Count == 0)
        {
            var handle = await logout.KeepAsync(parameters.ToDictionary(p => p.Key, p => p.Value[0] ?? "", StringComparer.Ordinal), context.RequestAborted);
            return Results.Redirect(context.Request.PathBase + Path + QueryString.Create(KeptRequestParameter, handle));
        }

        var request = new LogoutRequest(Get("id_token_hint"), Get("client_id"), Get("post_logout_redirect_uri"), Get("state"), uiLocales);
        var (answer, target) = await logout.HandleAsync(request, sessionHandle, context.RequestAborted);
        return Answer(context, answer, target, uiLocales);
    }

    private static async Task<IResult> ConfirmAsync(HttpContext context, RpInitiatedLogout logout)
    {
        if (!FormContentType.IsForm(context.Request))
        {
            return Page(context, StatusCodes.Status400BadRequest, null, "logout.invalid.title", "logout.invalid");
        }

        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var (answer, target) = await logout.ConfirmAsync(form["confirmation"].Count == 1 ? form["confirmation"][0] : null, SessionCookie.Read(context.Request),
            context.RequestAborted);
        return Answer(context, answer, target, form["ui_locales"].Count == 1 ? form["ui_locales"][0] : null);
    }

    private static IResult Answer(HttpContext context, LogoutAnswer answer, string? target, string? uiLocales)
    {
        if (answer is LogoutAnswer.SignedOut or LogoutAnswer.Redirect)
        {
            SessionCookie.Clear(context.Response);
        }

        return answer switch
        {
            LogoutAnswer.Redirect => Results.Redirect(target!),
            LogoutAnswer.SignedOut => Page(context, StatusCodes.Status200OK, uiLocales, "logout.done.title", "logout.done"),
            LogoutAnswer.Confirm => Page(context, StatusCodes.Status200OK, uiLocales, null, null, target),
            _ => Page(context, StatusCodes.Status400BadRequest, uiLocales, "logout.invalid.title", "logout.invalid"),
        };
    }

    private static IResult Page(HttpContext context, int status, string? uiLocales, string? titleKey, string? textKey, string? confirmation = null)
    {
        var language = HostedPasskeyStrings.Choose(uiLocales, context.Request);
        var pathBase = context.Request.PathBase;
        context.Response.Headers.ContentSecurityPolicy = HostedPasskeyPages.ContentSecurityPolicy;
        context.Response.Headers.CacheControl = "no-store";
        var html = confirmation is not null
            ? HostedPasskeyPages.ConfirmSignOut(language, pathBase, confirmation)
            : HostedPasskeyPages.Notice(language, pathBase, titleKey!, textKey!);
        return Results.Content(html, "text/html; charset=utf-8", statusCode: status);
    }
}
