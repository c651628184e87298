using Corbado.Oidc.Core.Options;
using Microsoft.Extensions.Options;

namespace Corbado.Oidc.Server.FastPath;

/// <summary>Registration and routing of the fast path (see <see cref="OidcOptions.FastPath"/>).</summary>
public static class FastPathMiddleware
{
    public static IServiceCollection AddLoginFastPath(this IServiceCollection services)
    {
        services.AddSingleton<FastAuthorizeEndpoint>();
        services.AddSingleton<FastTokenEndpoint>();
        return services;
    }

    /// <summary>
    /// Runs before OpenIddict's authentication middleware, after the rate limits. The options are read at the first
    /// request, not here: an invalid configuration must fail at start-up validation with its own message.
    /// </summary>
    public static IApplicationBuilder UseLoginFastPath(this IApplicationBuilder app)
    {
        var services = app.ApplicationServices;
        return app.Use(async (context, next) =>
        {
            var path = context.Request.Path;
            var handled = services.GetRequiredService<IOptions<OidcOptions>>().Value.FastPath
                && (path.Equals("/authorize", StringComparison.OrdinalIgnoreCase) ? await services.GetRequiredService<FastAuthorizeEndpoint>().TryHandleAsync(context)
                    : path.Equals("/token", StringComparison.OrdinalIgnoreCase) && await services.GetRequiredService<FastTokenEndpoint>().TryHandleAsync(context));
            if (!handled)
            {
                await next(context);
            }
        });
    }
}
