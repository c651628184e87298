using System.Reflection;
using System.Text.Json;
using Corbado.Oidc.Server.Login.Sessions;
using Corbado.Oidc.Server.Login.WebAuthn;

namespace Corbado.Oidc.Server.Endpoints.HostedPasskeys;

/// <summary>
/// The hosted passkey pages and their ceremony calls (docs/hosted-passkeys.md): <c>/passkeys/sign-in</c> for an
/// authorization request <c>/authorize</c> sent here, <c>/passkeys/enrol</c> for an enrolment link, <c>/passkeys/manage</c>
/// for a management link (forms without script, each carrying the page's single-use token). The ceremony calls take JSON
/// only (no cross-site form can reach them) and answer JSON; refusals are 400 with a generic error and never a 500,
/// whatever the credential JSON holds.
/// </summary>
internal static class HostedPasskeyEndpoints
{
    private const long MaxBodyBytes = 64 * 1024;

    private static readonly Dictionary<string, string> Assets = new(StringComparer.Ordinal)
    {
        ["passkeys.css"] = "text/css; charset=utf-8",
        ["passkeys.js"] = "text/javascript; charset=utf-8",
        ["sign-in.js"] = "text/javascript; charset=utf-8",
        ["enrol.js"] = "text/javascript; charset=utf-8",
    };

    public static WebApplication MapHostedPasskeyPages(this WebApplication app)
    {
        app.MapGet("/passkeys/sign-in", SignInPageAsync);
        app.MapPost("/passkeys/sign-in/options", SignInOptionsAsync);
        app.MapPost("/passkeys/sign-in/verify", SignInVerifyAsync);
        app.MapPost("/passkeys/sign-in/cancel", SignInCancelAsync);
        app.MapPost("/passkeys/sign-in/sign-up/options", SignUpOptionsAsync);
        app.MapPost("/passkeys/sign-in/sign-up/verify", SignUpVerifyAsync);
        app.MapGet("/passkeys/enrol", EnrolPageAsync);
        app.MapPost("/passkeys/enrol/options", EnrolOptionsAsync);
        app.MapPost("/passkeys/enrol/verify", EnrolVerifyAsync);
        app.MapGet("/passkeys/manage", ManagePageAsync);
        app.MapPost("/passkeys/manage", ManageChangeAsync);
        app.MapGet("/passkeys/assets/{name}", Asset);
        return app;
    }

    private static async Task<IResult> SignInPageAsync(HttpContext context, HostedPasskeyLogin hosted, string? request)
    {
        var pending = await hosted.FindAsync(request, context.RequestAborted);
        var language = HostedPasskeyStrings.Choose(pending?.UiLocales, context.Request);
        return pending is null
            ? Page(context, StatusCodes.Status400BadRequest, HostedPasskeyPages.Notice(language, context.Request.PathBase, "sign_in.title", "sign_in.expired"))
            : Page(context, StatusCodes.Status200OK, HostedPasskeyPages.SignIn(language, context.Request.PathBase, request!, pending.LoginHint, hosted.OpenEnrolment));
    }

    private static async Task<IResult> SignInOptionsAsync(HttpContext context, HostedPasskeyLogin hosted)
    {
        if (await ReadAsync(context) is not { } body)
        {
            return BadRequest();
        }

        return await hosted.StartAsync(Text(body, "request"), context.RequestAborted) is { } started
            ? Options(started.Ceremony, started.OptionsJson)
            : Refused(retry: false);
    }

    private static async Task<IResult> SignInVerifyAsync(HttpContext context, HostedPasskeyLogin hosted, PasskeyUserLimits limits)
    {
        if (await ReadAsync(context) is not { } body)
        {
            return BadRequest();
        }

        if (await limits.TryAcquireForAssertionAsync(Element(body, "credential"), context.RequestAborted) is { } wait)
        {
            return TooManyRequests(context, wait);
        }

        var (response, reason, session) = await hosted.FinishAsync(Text(body, "request"), Text(body, "ceremony"), Element(body, "credential"),
            SessionCookie.Read(context.Request), context.RequestAborted);
        return Answer(context, response, reason, session);
    }

    /// <summary>The finished ceremony's answer: the authorization response (and a new session's cookie), or a refusal.</summary>
    private static IResult Answer(HttpContext context, AuthorizationResponse? response, string? reason, (string Handle, DateTimeOffset ExpiresAt)? session)
    {
        if (session is { } started)
        {
            SessionCookie.Write(context.Response, started.Handle, started.ExpiresAt);
        }

        return response is not null
            ? Results.Json(response, HostedPasskeyJson.Default.AuthorizationResponse)
            : Refused(retry: reason != PasskeyRefusals.RequestInvalid);
    }

    /// <summary>Open enrolment (<c>Passkeys:OpenEnrolment</c>): a new user creates a passkey on the sign-in page. Not found when off.</summary>
    private static async Task<IResult> SignUpOptionsAsync(HttpContext context, HostedPasskeyLogin hosted)
    {
        if (!hosted.OpenEnrolment)
        {
            return Results.NotFound();
        }

        if (await ReadAsync(context) is not { } body)
        {
            return BadRequest();
        }

        return await hosted.StartSignUpAsync(Text(body, "request"), context.RequestAborted) is { } started
            ? Options(started.Ceremony, started.OptionsJson)
            : Refused(retry: false);
    }

    private static async Task<IResult> SignUpVerifyAsync(HttpContext context, HostedPasskeyLogin hosted)
    {
        if (!hosted.OpenEnrolment)
        {
            return Results.NotFound();
        }

        if (await ReadAsync(context) is not { } body)
        {
            return BadRequest();
        }

        var (response, reason, session) = await hosted.FinishSignUpAsync(Text(body, "request"), Text(body, "ceremony"), Element(body, "credential"),
            SessionCookie.Read(context.Request), context.RequestAborted);
        return Answer(context, response, reason, session);
    }

    private static async Task<IResult> SignInCancelAsync(HttpContext context, HostedPasskeyLogin hosted)
    {
        if (await ReadAsync(context) is not { } body)
        {
            return BadRequest();
        }

        return await hosted.CancelAsync(Text(body, "request"), context.RequestAborted) is { } response
            ? Results.Json(response, HostedPasskeyJson.Default.AuthorizationResponse)
            : Refused(retry: false);
    }

    private static async Task<IResult> EnrolPageAsync(HttpContext context, PasskeyEnrolmentLinks links, string? token)
    {
        var language = HostedPasskeyStrings.Choose(null, context.Request);
        // The same answer for a forged, used or expired link, whoever it names.
        return await links.FindSubjectAsync(token, context.RequestAborted) is null
            ? Page(context, StatusCodes.Status400BadRequest, HostedPasskeyPages.Notice(language, context.Request.PathBase, "enrol.invalid.title", "enrol.invalid"))
            : Page(context, StatusCodes.Status200OK, HostedPasskeyPages.Enrol(language, context.Request.PathBase, token!));
    }

    private static async Task<IResult> EnrolOptionsAsync(HttpContext context, PasskeyEnrolment enrolment, PasskeyUserLimits limits)
    {
        if (await ReadAsync(context) is not { } body)
        {
            return BadRequest();
        }

        if (await limits.TryAcquireForEnrolmentAsync(Text(body, "token"), context.RequestAborted) is { } wait)
        {
            return TooManyRequests(context, wait);
        }

        return await enrolment.StartAsync(Text(body, "token"), context.RequestAborted) is { } started
            ? Options(started.Ceremony, started.OptionsJson)
            : Refused(retry: false);
    }

    private static async Task<IResult> EnrolVerifyAsync(HttpContext context, PasskeyEnrolment enrolment, PasskeyUserLimits limits)
    {
        if (await ReadAsync(context) is not { } body)
        {
            return BadRequest();
        }

        if (await limits.TryAcquireForEnrolmentAsync(Text(body, "token"), context.RequestAborted) is { } wait)
        {
            return TooManyRequests(context, wait);
        }

        var reason = await enrolment.FinishAsync(Text(body, "token"), Text(body, "ceremony"), Element(body, "credential"), Text(body, "name"), context.RequestAborted);
        return reason is null ? Results.Json(new { ok = true }) : Refused(retry: reason != PasskeyRefusals.EnrolmentInvalid);
    }

    private static async Task<IResult> ManagePageAsync(HttpContext context, PasskeyManagement management, string? token)
        => ManagementPage(context, await management.OpenAsync(token, context.RequestAborted));

    /// <summary>A change from one of the page's forms (form-encoded, as a browser posts it without script).</summary>
    private static async Task<IResult> ManageChangeAsync(HttpContext context, PasskeyManagement management)
    {
        ManagementView? view = null;
        if (context.Request.HasFormContentType && context.Request.ContentLength is null or <= MaxBodyBytes)
        {
            var form = await context.Request.ReadFormAsync(context.RequestAborted);
            view = await management.ChangeAsync(form["token"].FirstOrDefault(), form["action"].FirstOrDefault(), form["credential"].FirstOrDefault(),
                form["name"].FirstOrDefault(), context.RequestAborted);
        }

        return ManagementPage(context, view);
    }

    private static IResult ManagementPage(HttpContext context, ManagementView? view)
    {
        var language = HostedPasskeyStrings.Choose(null, context.Request);
        // The same answer for a forged, used or expired link or page token, whoever it names.
        if (view is null)
        {
            return Page(context, StatusCodes.Status400BadRequest, HostedPasskeyPages.Notice(language, context.Request.PathBase, "manage.invalid.title", "manage.invalid"),
                HostedPasskeyPages.ManagementContentSecurityPolicy);
        }

        var outcome = view.Result switch
        {
            ManagementResult.Renamed => "manage.renamed",
            ManagementResult.Deleted => "manage.deleted",
            ManagementResult.Invalid => "manage.unchanged",
            _ => null,
        };
        return Page(context, view.Result == ManagementResult.Invalid ? StatusCodes.Status400BadRequest : StatusCodes.Status200OK,
            HostedPasskeyPages.Manage(language, context.Request.PathBase, view.PageToken, view.Credentials, outcome), HostedPasskeyPages.ManagementContentSecurityPolicy);
    }

    private static IResult Asset(HttpContext context, string name)
    {
        if (!Assets.TryGetValue(name, out var contentType)
            || Assembly.GetExecutingAssembly().GetManifestResourceStream("HostedPasskeys." + name) is not { } stream)
        {
            return Results.NotFound();
        }

        context.Response.Headers.CacheControl = "public, max-age=300";
        return Results.Stream(stream, contentType);
    }

    private static IResult Page(HttpContext context, int status, string html, string policy = HostedPasskeyPages.ContentSecurityPolicy)
    {
        context.Response.Headers.ContentSecurityPolicy = policy;
        return Results.Content(html, "text/html; charset=utf-8", statusCode: status);
    }

    private static IResult Options(string ceremony, string optionsJson)
        => Results.Text("{\"ceremony\":" + JsonSerializer.Serialize(ceremony) + ",\"publicKey\":" + optionsJson + "}", "application/json");

    private static IResult Refused(bool retry)
        => Results.Json(new { error = "passkey_refused", retry }, statusCode: StatusCodes.Status400BadRequest);

    /// <summary>The user's ceremony limit is reached: 429 with Retry-After, as the per-IP limit answers.</summary>
    private static IResult TooManyRequests(HttpContext context, TimeSpan wait)
    {
        context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Results.Json(new { error = "temporarily_unavailable", error_description = "Too many requests; retry later." }, statusCode: StatusCodes.Status429TooManyRequests);
    }

    private static IResult BadRequest()
        => Results.Json(new { error = "invalid_request", error_description = "The body must be a JSON object." }, statusCode: StatusCodes.Status400BadRequest);

    /// <summary>A JSON object body of at most 64 KiB; null for anything else.</summary>
    private static async Task<JsonElement?> ReadAsync(HttpContext context)
    {
        var request = context.Request;
        if (request.ContentType is not { } type || !type.StartsWith("application/json", StringComparison.OrdinalIgnoreCase)
            || request.ContentLength is > MaxBodyBytes)
        {
            return null;
        }

        try
        {
            using var limited = new MemoryStream();
            await request.Body.CopyToAsync(limited, context.RequestAborted);
            if (limited.Length > MaxBodyBytes)
            {
                return null;
            }

            limited.Position = 0;
            using var document = await JsonDocument.ParseAsync(limited, cancellationToken: context.RequestAborted);
            return document.RootElement.ValueKind == JsonValueKind.Object ? document.RootElement.Clone() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? Text(JsonElement? body, string name)
        => body is { } value && value.TryGetProperty(name, out var property) && property.ValueKind == JsonValueKind.String ? property.GetString() : null;

    private static JsonElement Element(JsonElement? body, string name)
        => body is { } value && value.TryGetProperty(name, out var property) ? property : default;
}
