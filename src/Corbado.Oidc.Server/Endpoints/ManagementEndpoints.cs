using Corbado.Oidc.Core.Options;
using Microsoft.Extensions.Options;

namespace Corbado.Oidc.Server.Endpoints;

/// <summary>
/// The management port: <c>/metrics</c> (Prometheus exposition by OpenTelemetry's exporter), <c>/health/live</c>,
/// <c>/health/ready</c> and the admin API (<see cref="AdminApiEndpoints"/>, when <c>Admin:ApiKey</c> is set), and nothing
/// else. Requests are told apart by the local port the connection arrived on, not by
/// the Host header, which a client on the public port could set to anything.
/// </summary>
public static class ManagementEndpoints
{
    public static WebApplication UseManagementPort(this WebApplication app)
    {
        var management = app.Services.GetRequiredService<IOptions<ManagementOptions>>().Value;
        if (management.Port is null)
        {
            return app;
        }

        // /admin goes on to its endpoints, which answer only on this port and 404 on the public one.
        app.MapWhen(context => IsManagementRequest(context, management)
            && !context.Request.Path.StartsWithSegments(AdminApiEndpoints.Prefix, StringComparison.OrdinalIgnoreCase), branch =>
        {
            branch.UseOpenTelemetryPrometheusScrapingEndpoint("/metrics");
            branch.UseHealthChecks("/health/live", HealthEndpoints.LiveOptions);
            branch.UseHealthChecks("/health/ready", HealthEndpoints.ReadyOptions);
            // The branch never rejoins the main pipeline: anything else answers 404, so the management port is not a
            // second entrance to the OpenID endpoints.
        });
        return app;
    }

    /// <summary>Whether a request arrived on the management port (probes and scrapes make no spans).</summary>
    public static bool IsManagementRequest(HttpContext context, ManagementOptions management)
        => management.Port is { } port && context.Connection.LocalPort == port;
}
