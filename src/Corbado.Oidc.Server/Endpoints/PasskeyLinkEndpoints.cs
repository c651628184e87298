using System.Text.Json;
using Corbado.Oidc.Server.Admin;
using Corbado.Oidc.Server.Clients;
using Corbado.Oidc.Server.Diagnostics;
using Corbado.Oidc.Server.Login.WebAuthn;

namespace Corbado.Oidc.Server.Endpoints;

/// <summary>
/// <c>POST /api/v1/passkey-enrolments</c> and <c>POST /api/v1/passkey-management-links</c>: a relying party's backend asks
/// for a single-use enrolment or management link for one of its signed-in users (docs/hosted-passkeys.md), the same links
/// <c>users enrol</c> and <c>users passkeys manage</c> print. The caller is a client with a secret, by HTTP Basic, allowed
/// it (<see cref="ClientRegistrationNames.PasskeyEnrolmentPermission"/>); the body is exactly
/// <c>{"sub": "…", "ttl_seconds": 900}</c> (<c>ttl_seconds</c> optional).
/// </summary>
public static class PasskeyLinkEndpoints
{
    public const string EnrolmentPath = "/api/v1/passkey-enrolments";
    public const string ManagementPath = "/api/v1/passkey-management-links";

    /// <summary>The link lifetime when the body names none.</summary>
    public const int DefaultTtlSeconds = 900;

    private const int MaxBodyBytes = 4 * 1024;

    public static IEndpointRouteBuilder MapPasskeyLinkApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost(EnrolmentPath, (HttpContext context, ClientPolicies clients, LoginEvents events, PasskeyEnrolmentLinks links, AdminAudit audit)
            => CreateAsync(context, clients, events, audit, EnrolmentPath, "passkey.enrolment_link_created", links.CreateAsync));
        endpoints.MapPost(ManagementPath, (HttpContext context, ClientPolicies clients, LoginEvents events, PasskeyEnrolmentLinks links, AdminAudit audit)
            => CreateAsync(context, clients, events, audit, ManagementPath, "passkey.management_link_created", links.CreateManagementAsync));
        return endpoints;
    }

    private static async Task<IResult> CreateAsync(HttpContext context, ClientPolicies clients, LoginEvents events, AdminAudit audit, string path, string auditEvent,
        Func<string, TimeSpan, CancellationToken, Task<(Uri Url, DateTimeOffset ExpiresAt)>> create)
    {
        var (authenticated, refused) = await ApiClientAuthentication.AuthenticateAsync(context, clients, events, path, client => client.MayEnrolPasskeys);
        if (authenticated is not { } client)
        {
            return refused!;
        }

        if (await ReadRequestAsync(context.Request, context.RequestAborted) is not var (subject, ttl))
        {
            return ApiClientAuthentication.InvalidRequest(
                $"The body must be a JSON object with a string 'sub' (1 to 255 characters) and optionally an integer 'ttl_seconds' (1 to {(int)PasskeyEnrolmentLinks.MaxLifetime.TotalSeconds}).");
        }

        var (url, expiresAt) = await create(subject, TimeSpan.FromSeconds(ttl), context.RequestAborted);
        audit.UserChanged(auditEvent, "client:" + client.ClientId, "accepted", subject, context.Connection.RemoteIpAddress?.ToString());
        return Results.Json(new Dictionary<string, object> { ["url"] = url.AbsoluteUri, ["expires_at"] = expiresAt.ToUnixTimeSeconds() });
    }

    /// <summary>The subject and lifetime in seconds; null when the body is not exactly that (strict JSON types and ranges).</summary>
    private static async Task<(string Subject, long TtlSeconds)?> ReadRequestAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (!request.HasJsonContentType() || request.ContentLength is > MaxBodyBytes)
        {
            return null;
        }

        try
        {
            using var body = await JsonDocument.ParseAsync(request.Body, new JsonDocumentOptions { MaxDepth = 2, AllowDuplicateProperties = false }, cancellationToken);
            var root = body.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("sub", out var sub) || sub.ValueKind != JsonValueKind.String || sub.GetString() is not { Length: > 0 and <= 255 } subject
                || string.IsNullOrWhiteSpace(subject)
                || root.EnumerateObject().Any(property => property.Name is not ("sub" or "ttl_seconds")))
            {
                return null;
            }

            long ttl = DefaultTtlSeconds;
            if (root.TryGetProperty("ttl_seconds", out var seconds)
                && (seconds.ValueKind != JsonValueKind.Number || !seconds.TryGetInt64(out ttl) || ttl < 1 || ttl > (long)PasskeyEnrolmentLinks.MaxLifetime.TotalSeconds))
            {
                return null;
            }

            return (subject, ttl);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
