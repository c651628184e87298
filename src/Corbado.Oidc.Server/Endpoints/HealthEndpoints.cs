using Corbado.Oidc.Core.PasskeyLogin;
using Corbado.Oidc.Server.Persistence;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Corbado.Oidc.Server.Endpoints;

/// <summary>
/// <c>/health/live</c> (the process answers) and <c>/health/ready</c> (the database is usable). The passkey issuer's key
/// set is reported by <c>/health/ready</c> as Degraded, still HTTP 200: an outage of that one external URL degrades hint
/// logins on every replica at once, and taking them all off the load balancer would also take discovery, our JWKS and
/// token redemption away from every relying party. <c>corbado_oidc_passkey_keys_available</c> and the alert
/// CorbadoOidcPasskeyKeysUnavailable say so instead (docs/operations.md, "Readiness").
/// </summary>
public static class HealthEndpoints
{
    private const string ReadyTag = "ready";

    public static IServiceCollection AddCorbadoOidcHealthChecks(this IServiceCollection services)
    {
        services.AddHealthChecks()
            .AddCheck<DatabaseHealthCheck>("database", tags: [ReadyTag])
            .AddCheck<PasskeyKeySetHealthCheck>("passkey_keys", tags: [ReadyTag]);
        return services;
    }

    /// <summary>Liveness: the process answers; no check runs.</summary>
    public static readonly HealthCheckOptions LiveOptions = new() { Predicate = _ => false };

    /// <summary>Readiness: the checks tagged ready (database; passkey key set, which is at worst Degraded, still 200).</summary>
    public static readonly HealthCheckOptions ReadyOptions = new() { Predicate = check => check.Tags.Contains(ReadyTag) };

    public static IEndpointRouteBuilder MapCorbadoOidcHealthEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapHealthChecks("/health/live", LiveOptions);
        endpoints.MapHealthChecks("/health/ready", ReadyOptions);
        return endpoints;
    }

    private sealed class DatabaseHealthCheck(IDbContextFactory<OidcDbContext> contexts) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            return await db.Database.CanConnectAsync(cancellationToken)
                ? HealthCheckResult.Healthy()
                : HealthCheckResult.Unhealthy("database unreachable");
        }
    }

    private sealed class PasskeyKeySetHealthCheck(IPasskeyKeyResolver keys) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            if (!keys.HasKeys && keys is JwksKeyResolver resolver)
            {
                await resolver.TryRefreshAsync(cancellationToken);
            }

            return keys.HasKeys ? HealthCheckResult.Healthy() : HealthCheckResult.Degraded("passkey issuer key set not obtained: hint logins are refused");
        }
    }
}
