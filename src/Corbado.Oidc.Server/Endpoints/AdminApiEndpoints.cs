using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Corbado.Oidc.Core.Options;
using Corbado.Oidc.Server.Admin;
using Corbado.Oidc.Server.Persistence;
using Microsoft.Extensions.Options;

namespace Corbado.Oidc.Server.Endpoints;

/// <summary>
/// <c>/admin/users</c>: user profiles over HTTP, for operators who fill the store from their own systems. Bearer
/// <c>Admin:ApiKey</c>, compared in constant time; not mapped at all when no key is configured.
/// </summary>
public static class AdminApiEndpoints
{
    public static IEndpointRouteBuilder MapAdminApi(this IEndpointRouteBuilder endpoints)
    {
        var key = endpoints.ServiceProvider.GetRequiredService<IOptions<AdminOptions>>().Value.ApiKey;
        if (string.IsNullOrEmpty(key))
        {
            return endpoints;
        }

        var expected = SHA256.HashData(Encoding.UTF8.GetBytes(key));
        var group = endpoints.MapGroup("/admin").AddEndpointFilter(async (context, next) =>
        {
            var header = context.HttpContext.Request.Headers.Authorization.ToString();
            var presented = header.StartsWith("Bearer ", StringComparison.Ordinal) ? header["Bearer ".Length..] : "";
            // Hash both sides so the comparison is constant-time whatever the lengths.
            return CryptographicOperations.FixedTimeEquals(expected, SHA256.HashData(Encoding.UTF8.GetBytes(presented)))
                ? await next(context)
                : Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "A valid admin API key is required.");
        });

        group.MapGet("/users/{sub}", async (string sub, EfUserProfileStore store, CancellationToken cancellationToken) =>
            await store.FindAsync(sub, cancellationToken) is { } profile ? Results.Ok(ToJson(profile)) : Results.NotFound());

        group.MapPut("/users/{sub}", async (string sub, JsonElement body, EfUserProfileStore store, CancellationToken cancellationToken) =>
        {
            try
            {
                var fields = UserProfileFile.Fields(body, "body");
                fields["sub"] = sub;
                await store.UpsertAsync([UserProfileFile.ToProfile(fields, "body")], cancellationToken);
                return Results.Ok(ToJson((await store.FindAsync(sub, cancellationToken))!));
            }
            catch (FormatException exception)
            {
                return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: exception.Message);
            }
        });

        group.MapDelete("/users/{sub}", async (string sub, EfUserProfileStore store, CancellationToken cancellationToken) =>
            await store.RemoveAsync(sub, cancellationToken) ? Results.NoContent() : Results.NotFound());

        return endpoints;
    }

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
