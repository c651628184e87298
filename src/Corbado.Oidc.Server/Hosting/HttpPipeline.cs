using System.Data.Common;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Threading.RateLimiting;
using Corbado.Oidc.Core.Options;
using Corbado.Oidc.Server.Clients;
using Corbado.Oidc.Server.Protocol;
using Corbado.Oidc.Server.FastPath;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Corbado.Oidc.Server.Hosting;

/// <summary>
/// The HTTP pipeline around OpenIddict, in an explicit order: forwarded headers, errors as OAuth JSON, HSTS, security
/// headers, rate limits, then OpenIddict (authentication middleware) and the endpoints.
/// </summary>
public static partial class HttpPipeline
{
    private const string PartitionItem = "corbado:rate_partition";

    /// <summary>
    /// CSP for every response. The only script we ever serve is the one line of OpenIddict's form_post page, allowed by hash.
    /// </summary>
    public static readonly string ContentSecurityPolicy =
        $"default-src 'none'; script-src 'sha256-{Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes("document.form.submit();")))}'; base-uri 'none'; frame-ancestors 'none'";

    public static IServiceCollection AddHttpHardening(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<RateLimitingOptions>().Bind(configuration.GetSection(RateLimitingOptions.SectionName)).ValidateAtStartup();
        services.AddOptions<ForwardedHeadersSettings>().Bind(configuration.GetSection(ForwardedHeadersSettings.SectionName)).ValidateAtStartup();
        services.AddSingleton<HttpHardeningOptionsValidator>();
        services.AddSingleton<IValidateOptions<RateLimitingOptions>>(provider => provider.GetRequiredService<HttpHardeningOptionsValidator>());
        services.AddSingleton<IValidateOptions<ForwardedHeadersSettings>>(provider => provider.GetRequiredService<HttpHardeningOptionsValidator>());

        services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<ForwardedHeadersSettings>>((options, settings) =>
        {
            options.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            foreach (var proxy in settings.Value.KnownProxies)
            {
                options.KnownProxies.Add(IPAddress.Parse(proxy));
            }

            foreach (var network in settings.Value.KnownNetworks)
            {
                options.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(network));
            }
        });

        services.AddExceptionHandler<OAuthExceptionHandler>();
        services.AddProblemDetails();
        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<RateLimitingOptions>>((options, limits) => ConfigureLimits(options, limits.Value));
        return services;
    }

    public static WebApplication UseHttpHardening(this WebApplication app)
    {
        app.UseForwardedHeaders();
        app.UseProtocolRouteTags();
        app.UseExceptionHandler();
        if (!app.Environment.IsDevelopment())
        {
            app.UseHsts();
        }

        app.Use(static (context, next) =>
        {
            context.Response.OnStarting(static state => ApplySecurityHeaders((HttpContext)state), context);
            return next(context);
        });

        app.Use(RejectUnreadableContentTypeAsync);
        if (app.Services.GetRequiredService<IOptions<RateLimitingOptions>>().Value.Enabled)
        {
            app.Use(ResolvePartitionAsync);
            app.UseRateLimiter();
        }

        // The common login is answered before OpenIddict; OpenIddict handles its endpoints in the authentication
        // middleware. Both come after the limits.
        app.UseLoginFastPath();
        app.UseAuthentication();
        return app;
    }

    private static Task ApplySecurityHeaders(HttpContext context)
    {
        var headers = context.Response.Headers;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        if (string.IsNullOrEmpty(headers.ContentSecurityPolicy))
        {
            // A page that sets its own policy keeps it (the hosted passkey pages: own scripts and styles only).
            headers.ContentSecurityPolicy = ContentSecurityPolicy;
        }
        if (string.IsNullOrEmpty(headers.CacheControl))
        {
            // Authorization responses carry codes; nothing here is worth a cache's risk (RFC 6749 §5.1, OIDC Core 3.1.2.5).
            headers.CacheControl = "no-store";
            headers.Pragma = "no-cache";
        }

        return Task.CompletedTask;
    }

    /// <summary>A body whose Content-Type names no single media type is refused before anything reads it.</summary>
    private static Task RejectUnreadableContentTypeAsync(HttpContext context, Func<Task> next)
    {
        if (FormContentType.IsReadable(context.Request))
        {
            return next();
        }

        context.Response.StatusCode = StatusCodes.Status400BadRequest;
        return context.Response.WriteAsJsonAsync(new { error = "invalid_request", error_description = "The Content-Type header must name exactly one media type." });
    }

    /// <summary>Works out the partition (client IP for /authorize, client id for /token) before the limiter runs.</summary>
    private static async Task ResolvePartitionAsync(HttpContext context, Func<Task> next)
    {
        var path = context.Request.Path;
        if (path.StartsWithSegments("/authorize") || path.StartsWithSegments("/passkeys"))
        {
            context.Items[PartitionItem] = "authorize|" + context.Connection.RemoteIpAddress;
        }
        else if (path.StartsWithSegments("/token") || path.StartsWithSegments(Endpoints.PasskeyVerificationEndpoints.Path)
            || path.StartsWithSegments(Endpoints.PasskeyLinkEndpoints.EnrolmentPath) || path.StartsWithSegments(Endpoints.PasskeyLinkEndpoints.ManagementPath))
        {
            // A registered client (as the client read model knows it, without a database read) has its own partition;
            // any other id shares its caller's address, so made-up client ids cannot mint partitions.
            var clientId = await ReadClientIdAsync(context.Request);
            context.Items[PartitionItem] = "token|" + (clientId is not null && context.RequestServices.GetRequiredService<ClientPolicies>().IsRegistered(clientId)
                ? clientId
                : "ip:" + context.Connection.RemoteIpAddress);
        }

        await next();
    }

    private static async Task<string?> ReadClientIdAsync(HttpRequest request)
    {
        var authorization = request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            return BasicClientCredentials.Read(authorization)?.ClientId;
        }

        if (request.HasFormContentType && request.ContentLength is null or < 64 * 1024)
        {
            // ASP.NET Core caches the parsed form, so OpenIddict does not read the body twice.
            var form = await request.ReadFormAsync(request.HttpContext.RequestAborted);
            return form["client_id"].FirstOrDefault();
        }

        return null;
    }

    private static void ConfigureLimits(RateLimiterOptions options, RateLimitingOptions limits)
    {
        options.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
        {
            if (context.Items[PartitionItem] is not string key)
            {
                return RateLimitPartition.GetNoLimiter("unlimited");
            }

            var perMinute = key.StartsWith("authorize|", StringComparison.Ordinal) ? limits.AuthorizePerIpPerMinute : limits.TokenPerClientPerMinute;
            return RateLimitPartition.GetTokenBucketLimiter(key, _ => new TokenBucketRateLimiterOptions
            {
                TokenLimit = Math.Max(1, perMinute / 6),
                TokensPerPeriod = Math.Max(1, perMinute / 60),
                ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                QueueLimit = 0,
                AutoReplenishment = true,
            });
        });

        options.OnRejected = async (context, cancellationToken) =>
        {
            var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var delay) ? Math.Max(1, (int)Math.Ceiling(delay.TotalSeconds)) : 1;
            var response = context.HttpContext.Response;
            response.StatusCode = StatusCodes.Status429TooManyRequests;
            response.Headers.RetryAfter = retryAfter.ToString(System.Globalization.CultureInfo.InvariantCulture);
            LogRateLimited(context.HttpContext.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(HttpPipeline)),
                context.HttpContext.Request.Path);
            await response.WriteAsJsonAsync(new { error = "temporarily_unavailable", error_description = "Too many requests; retry later." }, cancellationToken);
        };
    }

    [LoggerMessage(EventId = 3001, Level = LogLevel.Warning, Message = "Request to {Path} refused: reason rate_limited")]
    private static partial void LogRateLimited(ILogger logger, string path);

    /// <summary>
    /// Unexpected exceptions become OAuth error JSON: a database or timeout fault is 503 <c>temporarily_unavailable</c>
    /// with Retry-After (RFC 6749 §4.1.2.1, §5.2 use of the code), anything else 500 <c>server_error</c>. No stack trace
    /// or message reaches the client.
    /// </summary>
    private sealed partial class OAuthExceptionHandler(ILogger<OAuthExceptionHandler> logger) : IExceptionHandler
    {
        public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
        {
            var (status, error, description) = Classify(exception);
            if (status == StatusCodes.Status500InternalServerError)
            {
                LogUnhandled(logger, exception, error, context.Request.Path);
            }
            else
            {
                // Expected: a client sent an unreadable body, or the database is briefly away. No stack trace needed.
                LogRefused(logger, error, status, context.Request.Path, exception.GetType().Name);
            }

            context.Response.StatusCode = status;
            if (status == StatusCodes.Status503ServiceUnavailable)
            {
                context.Response.Headers.RetryAfter = "5";
            }

            await context.Response.WriteAsJsonAsync(new { error, error_description = description }, cancellationToken);
            return true;
        }

        private static (int Status, string Error, string Description) Classify(Exception exception)
        {
            for (var current = exception; current is not null; current = current.InnerException)
            {
                switch (current)
                {
                    case DbException or DbUpdateException or TimeoutException:
                        return (StatusCodes.Status503ServiceUnavailable, "temporarily_unavailable", "The service is temporarily unavailable; retry later.");
                    // A form body with NUL characters, too many values or over the size limits (RFC 6749 §5.2).
                    case BadHttpRequestException badRequest:
                        return (badRequest.StatusCode, "invalid_request", "The request body could not be read.");
                    case InvalidDataException:
                        return (StatusCodes.Status400BadRequest, "invalid_request", "The request body could not be read.");
                }
            }

            return (StatusCodes.Status500InternalServerError, "server_error", "An internal error occurred.");
        }

        [LoggerMessage(EventId = 3002, Level = LogLevel.Error, Message = "Unhandled exception on {Path}: answered {Error}")]
        private static partial void LogUnhandled(ILogger logger, Exception exception, string error, string path);

        [LoggerMessage(EventId = 3003, Level = LogLevel.Warning, Message = "Request on {Path} answered {Error} ({Status}): {ExceptionType}")]
        private static partial void LogRefused(ILogger logger, string error, int status, string path, string exceptionType);
    }
}
