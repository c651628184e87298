using Corbado.Oidc.Core.Diagnostics;
using Corbado.Oidc.Core.Options;
using Corbado.Oidc.Server.Diagnostics;
using System.Collections.Frozen;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using OpenIddict.Server;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Corbado.Oidc.Server.Hosting;

/// <summary>
/// Metrics, traces and the audit trail. Metrics are collected only when <c>Management:Port</c> is set (Prometheus
/// scrapes them there); traces only when the standard <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set (exported by OTLP).
/// Without either, the instruments and activity sources have no listener and cost next to nothing on the login path.
/// </summary>
public static class ServerTelemetry
{
    /// <summary>The standard OpenTelemetry variable that turns tracing on.</summary>
    public const string OtlpEndpointSetting = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>The meters ASP.NET Core publishes (what the OpenTelemetry ASP.NET Core instrumentation subscribes to).</summary>
    internal static readonly string[] AspNetCoreMeters =
    [
        "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "Microsoft.AspNetCore.Http.Connections",
        "Microsoft.AspNetCore.Routing", "Microsoft.AspNetCore.Diagnostics", "Microsoft.AspNetCore.RateLimiting",
    ];

    public static WebApplicationBuilder AddCorbadoOidcTelemetry(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var configuration = builder.Configuration;
        // The trace id in every log line (ASP.NET Core puts it in a scope of each request), as a default below every
        // configuration source, so Logging:Console:FormatterOptions:IncludeScopes=false still turns it off.
        configuration.Sources.Insert(0, new Microsoft.Extensions.Configuration.Memory.MemoryConfigurationSource
        {
            InitialData = [new("Logging:Console:FormatterOptions:IncludeScopes", "true")],
        });
        // Audit and Management options are bound and validated with the other sections (AddCorbadoOidcCore): the
        // command line audits its changes too, and Admin:ApiKey needs Management:Port.
        services.AddHttpContextAccessor();
        services.AddSingleton<MetricLabels>();
        services.AddSingleton<LoginEvents>();

        var management = configuration.GetSection(ManagementOptions.SectionName).Get<ManagementOptions>() ?? new ManagementOptions();
        var tracing = !string.IsNullOrWhiteSpace(configuration[OtlpEndpointSetting]);
        if (management.Port is null && !tracing)
        {
            return builder;
        }

        var telemetry = services.AddOpenTelemetry().ConfigureResource(resource => resource.AddService("corbado-oidc"));
        if (management.Port is { } port)
        {
            builder.WebHost.UseUrls([.. PublicUrls(builder.WebHost), $"http://{UrlHost(management.Host)}:{port}"]);
            telemetry.WithMetrics(metrics => metrics
                .AddMeter(OidcMetrics.MeterName)
                // ASP.NET Core's own meters (hosting, Kestrel, routing, rate limiting, exception handling), by name: the
                // same instruments as AddAspNetCoreInstrumentation() without the middleware it also adds around every
                // request (only to tag the request duration with error.type, which ASP.NET Core's hosting and exception
                // handler already set); outgoing HTTP, runtime, process.
                .AddMeter(AspNetCoreMeters)
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddProcessInstrumentation()
                .AddPrometheusExporter());
        }

        if (tracing)
        {
            telemetry.WithTracing(traces => traces
                .AddSource(OidcMetrics.ActivitySourceName)
                // Npgsql publishes a span per command under this name (PostgreSQL only; SQLite is traced by PreparedSql).
                .AddSource("Npgsql")
                // Query strings are redacted by the instrumentation by default: the login_hint never reaches a span.
                .AddAspNetCoreInstrumentation(options => options.Filter = context => !Endpoints.ManagementEndpoints.IsManagementRequest(context, management))
                .AddHttpClientInstrumentation()
                .AddOtlpExporter());
        }

        return builder;
    }

    /// <summary>
    /// With metrics on: the <c>http.route</c> of a request to one of OpenIddict's endpoints (<c>/authorize</c>,
    /// <c>/token</c>, …) that no routed endpoint answered (OpenIddict or the fast door did), so the request-duration
    /// histogram tells them apart as it does routed endpoints (the dashboard's "by route"). The value is the endpoint's
    /// configured path, a fixed set; other unrouted requests (404s) stay without a route. Without a metrics listener
    /// ASP.NET Core offers no tags feature and this does nothing.
    /// </summary>
    public static IApplicationBuilder UseProtocolRouteTags(this IApplicationBuilder app)
    {
        var services = app.ApplicationServices;
        if (services.GetRequiredService<IOptions<ManagementOptions>>().Value.Port is null)
        {
            return app;
        }

        // Read at the first request, not here: OpenIddict's options load the signing keys from the database, which the
        // start-up has not created yet when the pipeline is built.
        var routes = new Lazy<FrozenSet<string>>(() =>
        {
            var server = services.GetRequiredService<IOptions<OpenIddictServerOptions>>().Value;
            return new[]
                {
                    server.AuthorizationEndpointUris, server.TokenEndpointUris, server.UserInfoEndpointUris, server.RevocationEndpointUris,
                    server.IntrospectionEndpointUris, server.EndSessionEndpointUris, server.ConfigurationEndpointUris, server.JsonWebKeySetEndpointUris,
                    server.PushedAuthorizationEndpointUris, server.DeviceAuthorizationEndpointUris, server.EndUserVerificationEndpointUris,
                }
                .SelectMany(uris => uris)
                .Where(uri => !uri.IsAbsoluteUri)
                .Select(uri => "/" + uri.OriginalString.TrimStart('/'))
                .ToFrozenSet(StringComparer.OrdinalIgnoreCase);
        });
        // WebApplication routes before the first middleware, so whether an endpoint was matched is known here.
        return app.Use((context, next) =>
        {
            if (context.GetEndpoint() is null && context.Features.Get<IHttpMetricsTagsFeature>() is { } metrics
                && context.Request.Path.Value is { } path && routes.Value.TryGetValue(path, out var route))
            {
                metrics.Tags.Add(new("http.route", route));
            }

            return next(context);
        });
    }

    /// <summary>
    /// The URLs the public listener would use without a management port: <c>urls</c> (ASPNETCORE_URLS, --urls), else
    /// <c>http_ports</c>/<c>https_ports</c>, else Kestrel's default. Setting the management URL replaces that list, so
    /// it is carried over. (Endpoints under <c>Kestrel:Endpoints</c> override both; add the management port there then.)
    /// </summary>
    private static IEnumerable<string> PublicUrls(IWebHostBuilder webHost)
    {
        if (webHost.GetSetting(WebHostDefaults.ServerUrlsKey) is { Length: > 0 } urls)
        {
            return urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        }

        var ports = (webHost.GetSetting(WebHostDefaults.HttpPortsKey) ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(port => $"http://*:{port}")
            .Concat((webHost.GetSetting(WebHostDefaults.HttpsPortsKey) ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(port => $"https://*:{port}"))
            .ToList();
        return ports.Count > 0 ? ports : ["http://localhost:5000"];
    }

    private static string UrlHost(string host)
        => System.Net.IPAddress.TryParse(host, out var address) && address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{address}]" : host;
}
