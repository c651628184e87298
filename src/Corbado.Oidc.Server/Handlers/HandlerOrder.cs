using OpenIddict.Server;
using OpenIddict.Server.AspNetCore;

namespace Corbado.Oidc.Server.Handlers;

/// <summary>
/// Orders for handlers that must run before or after every built-in handler of an event (OpenIddict's and its ASP.NET
/// Core host's), computed from the built-in descriptors instead of guessed constants.
/// </summary>
internal static class HandlerOrder
{
    private static readonly IReadOnlyList<OpenIddictServerHandlerDescriptor> BuiltIns =
        [.. OpenIddictServerHandlers.DefaultHandlers, .. OpenIddictServerAspNetCoreHandlers.DefaultHandlers];

    /// <summary>An order before every built-in handler of <typeparamref name="TContext"/>.</summary>
    public static int BeforeBuiltIns<TContext>() where TContext : OpenIddictServerEvents.BaseContext
        => OrdersOf<TContext>().Min() - 1_000;

    /// <summary>An order after every built-in handler of <typeparamref name="TContext"/>.</summary>
    public static int AfterBuiltIns<TContext>() where TContext : OpenIddictServerEvents.BaseContext
        => OrdersOf<TContext>().Max() + 1_000;

    private static IEnumerable<int> OrdersOf<TContext>()
        => BuiltIns.Where(descriptor => descriptor.ContextType == typeof(TContext)).Select(descriptor => descriptor.Order);
}
