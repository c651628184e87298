using Corbado.Oidc.Server.Handlers;
using OpenIddict.Server;
using OpenIddict.Server.AspNetCore;

namespace Corbado.Oidc.Server.Tests.Architecture;

/// <summary>
/// <see cref="PasskeyServerHandlers.All"/> is the one list of this server's OpenIddict handlers: it says the order they
/// run in, and no handler ties with another (OpenIddict sorts handlers with an unstable sort, so a tie runs in either
/// order: that is how a repeated <c>state</c> once got through).
/// </summary>
public sealed class HandlerListTests
{
    private static readonly IReadOnlyList<OpenIddictServerHandlerDescriptor> BuiltIns =
        [.. OpenIddictServerHandlers.DefaultHandlers, .. OpenIddictServerAspNetCoreHandlers.DefaultHandlers];

    [Fact]
    public void HandlerList_PerEvent_IsInTheOrderTheHandlersRun()
    {
        foreach (var perEvent in PasskeyServerHandlers.All.GroupBy(handler => handler.ContextType))
        {
            var listed = perEvent.Select(handler => handler.ServiceDescriptor.ServiceType.Name).ToList();
            var running = perEvent.OrderBy(handler => handler.Order).Select(handler => handler.ServiceDescriptor.ServiceType.Name).ToList();
            Assert.Equal(running, listed);
        }
    }

    [Fact]
    public void EveryHandler_HasAnOrderOfItsOwn_AmongBuiltInsAndOurs()
    {
        var ties = PasskeyServerHandlers.All
            .SelectMany(ours => BuiltIns.Concat(PasskeyServerHandlers.All)
                .Where(other => !ReferenceEquals(other, ours) && other.ContextType == ours.ContextType && other.Order == ours.Order)
                .Select(other => $"{ours.ServiceDescriptor.ServiceType.Name} ties with {other.ServiceDescriptor.ServiceType.Name} ({ours.ContextType.Name}, {ours.Order})"))
            .ToList();

        Assert.True(ties.Count == 0, string.Join('\n', ties));
    }

    [Fact]
    public void HandlerList_NamesEachHandlerOnce()
    {
        Assert.Equal(PasskeyServerHandlers.All.Length, PasskeyServerHandlers.All.Select(handler => handler.ServiceDescriptor.ServiceType).Distinct().Count());
    }
}
