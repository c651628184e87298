using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Threading.RateLimiting;
using Corbado.Oidc.Core.Options;
using Corbado.Oidc.Server.Admin;
using Corbado.Oidc.Server.Hosting;
using Corbado.Oidc.Server.Persistence;
using Microsoft.Extensions.Options;

namespace Corbado.Oidc.Server.Endpoints;

/// <summary>
/// <c>/admin/users</c>: user profiles over HTTP, for operators who fill the store from their own systems. Served only on
/// the management port (told apart by the connection's local port, as the management endpoints are; the public port
/// answers 404), limited to <c>Admin:RequestsPerMinute</c> per client IP, bearer <c>Admin:ApiKey</c> compared in constant
/// time, every change and every refused key written to the audit trail (<see cref="AdminAudit"/>). Not mapped at all when
/// no key is configured.
/// </summary>
public static class AdminApiEndpoints
{
    /// <summary>The path prefix; the management branch leaves these requests to the endpoints mapped here.</summary>
    public const string Prefix = "/admin";

    private const string Actor = "api";

    public static IEndpointRouteBuilder MapAdminApi(this IEndpointRouteBuilder endpoints)
    {
        var admin = endpoints.ServiceProvider.GetRequiredService<IOptions<AdminOptions>>().Value;
        var management = endpoints.ServiceProvider.GetRequiredService<IOptions<ManagementOptions>>().Value;
        if (string.IsNullOrEmpty(admin.ApiKey) || management.Port is null)
        {
            return endpoints;
        }

        var expected = SHA256.HashData(Encoding.UTF8.GetBytes(admin.ApiKey));
        // Per client IP, fixed window of a minute, no queue; counts refused keys too.
        var limiter = PartitionedRateLimiter.Create<HttpContext, string>(context => RateLimitPartition.GetFixedWindowLimiter(
            context.Connection.RemoteIpAddress?.ToString() ?? "unknown",
            _ => new FixedWindowRateLimiterOptions { PermitLimit = admin.RequestsPerMinute, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 }));
        endpoints.ServiceProvider.GetRequiredService<IHostApplicationLifetime>().ApplicationStopped.Register(limiter.Dispose);

        var group = endpoints.MapGroup(Prefix).AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            if (!ManagementEndpoints.IsManagementRequest(http, management))
            {
                return Results.NotFound();
            }

            using var lease = limiter.AttemptAcquire(http);
            if (!lease.IsAcquired)
            {
                var retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var delay) ? Math.Max(1, (int)Math.Ceiling(delay.TotalSeconds)) : 60;
                http.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
                return Results.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many admin API requests; retry later.");
            }

            var header = http.Request.Headers.Authorization.ToString();
            var presented = header.StartsWith("Bearer ", StringComparison.Ordinal) ? header["Bearer ".Length..] : "";
            // Hash both sides so the comparison is constant-time whatever the lengths.
            if (CryptographicOperations.FixedTimeEquals(expected, SHA256.HashData(Encoding.UTF8.GetBytes(presented))))
            {
                return await next(context);
            }

            http.RequestServices.GetRequiredService<AdminAudit>().Changed("admin.api_key_refused", Actor, "refused",
                http.Request.Method + " " + Prefix, ClientIp(http));
            return Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "A valid admin API key is required.");
        });

        group.MapGet("/users/{sub}", async (string sub, EfUserProfileStore store, CancellationToken cancellationToken) =>
            await store.FindAsync(sub, cancellationToken) is { } profile ? Results.Ok(ToJson(profile)) : Results.NotFound());

        group.MapPut("/users/{sub}", async (string sub, JsonElement body, EfUserProfileStore store, AdminAudit audit, HttpContext http,
            CancellationToken cancellationToken) =>
        {
            try
            {
                var fields = UserProfileFile.Fields(body, "body");
                fields["sub"] = sub;
                await store.UpsertAsync([UserProfileFile.ToProfile(fields, "body")], cancellationToken);
                audit.UserChanged("admin.user_set", Actor, "accepted", sub, ClientIp(http));
                return Results.Ok(ToJson((await store.FindAsync(sub, cancellationToken))!));
            }
            catch (FormatException exception)
            {
                audit.UserChanged("admin.user_set", Actor, "refused", sub, ClientIp(http));
                return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: exception.Message);
            }
        });

        group.MapDelete("/users/{sub}", async (string sub, EfUserProfileStore store, AdminAudit audit, HttpContext http, CancellationToken cancellationToken) =>
        {
            var removed = await store.RemoveAsync(sub, cancellationToken);
            audit.UserChanged("admin.user_removed", Actor, removed ? "accepted" : "not_found", sub, ClientIp(http));
            return removed ? Results.NoContent() : Results.NotFound();
        });

        // Identity-provider sessions (docs/sessions-and-logout.md): list a user's, end one or all at once.
        group.MapGet("/sessions", async (string? sub, Login.Sessions.IdpSessions sessions, CancellationToken cancellationToken) =>
            string.IsNullOrEmpty(sub)
                ? Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "The sub query parameter is required.")
                : Results.Ok((await sessions.ListAsync(sub, cancellationToken)).Select(session => new Dictionary<string, object?>
                {
                    ["sid"] = session.Sid,
                    ["sub"] = session.Subject,
                    ["auth_time"] = session.AuthTime.ToUnixTimeSeconds(),
                    ["amr"] = session.Amr,
                    ["clients"] = session.ClientIds,
                    ["created_at"] = session.CreatedAt.ToUnixTimeSeconds(),
                    ["idle_expires_at"] = session.IdleExpiresAt.ToUnixTimeSeconds(),
                    ["expires_at"] = session.ExpiresAt.ToUnixTimeSeconds(),
                })));

        group.MapDelete("/sessions", async (string? sub, string? sid, HttpContext http, CancellationToken cancellationToken) =>
        {
            if (string.IsNullOrEmpty(sub) == string.IsNullOrEmpty(sid))
            {
                return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Give exactly one of the sub and sid query parameters.");
            }

            var ended = await SessionCommands.Revoke(http.RequestServices, sub, sid, Actor, ClientIp(http), cancellationToken);
            return Results.Ok(new { ended = ended.Select(session => session.Sid) });
        });

        return endpoints;
    }

    private static string? ClientIp(HttpContext http) => http.Connection.RemoteIpAddress?.ToString();

    private static Dictionary<string, object?> ToJson(Core.Claims.UserProfile profile) => new()
    {
        ["sub"] = profile.Subject,
        ["email"] = profile.Email,
        ["email_verified"] = profile.EmailVerified,
        ["name"] = profile.Name,
        ["given_name"] = profile.GivenName,
        ["family_name"] = profile.FamilyName,
        ["preferred_username"] = profile.PreferredUsername,
        ["locale"] = profile.Locale,
        ["updated_at"] = profile.UpdatedAt?.ToUnixTimeSeconds(),
    };
}
