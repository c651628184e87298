namespace Corbado.Oidc.Server.Login.Sessions;

/// <summary>
/// The browser's side of an identity-provider session: a <c>__Host-</c> cookie (host-only, path /, Secure, so no
/// subdomain can set or read it), HttpOnly and SameSite=Lax (sent on the top-level navigations to /authorize and the
/// end-session endpoint, not on cross-site subrequests), holding only the random handle whose hash keys the session row.
/// </summary>
internal static class SessionCookie
{
    public const string Name = "__Host-corbado_session";

    /// <summary>The handle in the request's cookie, or null when there is none or it is not a handle.</summary>
    public static string? Read(HttpRequest request)
        => request.Cookies.TryGetValue(Name, out var value) && IdpSessions.IsHandle(value) ? value : null;

    public static void Write(HttpResponse response, string handle, DateTimeOffset expires)
        => response.Cookies.Append(Name, handle, Options(expires));

    public static void Clear(HttpResponse response) => response.Cookies.Delete(Name, Options(null));

    private static CookieOptions Options(DateTimeOffset? expires) => new()
    {
        HttpOnly = true,
        Secure = true,
        SameSite = SameSiteMode.Lax,
        Path = "/",
        Expires = expires,
        IsEssential = true,
    };
}
