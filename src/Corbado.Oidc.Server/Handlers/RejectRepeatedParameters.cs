using OpenIddict.Abstractions;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace Corbado.Oidc.Server.Handlers;

/// <summary>
/// RFC 6749 §3.1 and §3.2: request parameters MUST NOT be included more than once, at any endpoint. OpenIddict keeps
/// repeated values as an array and its typed accessors read such a parameter as absent, so <c>state=a&amp;state=b</c>,
/// two login hints or a <c>code_verifier</c> sent twice would pass as if missing. Refused at extraction of every
/// endpoint's request, by this one rule, before any value is trusted. Only the parameters specified as repeatable
/// (<c>resource</c>, RFC 8707 §2; <c>audience</c>, RFC 8693 §2.1) may appear more than once.
/// </summary>
public sealed class RejectRepeatedParameters<TContext> : IOpenIddictServerHandler<TContext> where TContext : BaseValidatingContext
{
    private static readonly HashSet<string> Repeatable = new(StringComparer.Ordinal) { Parameters.Resource, Parameters.Audience };

    /// <summary>
    /// After the built-in extraction (so the request exists) and before this server's own extraction handlers
    /// (<see cref="SetCodeVerifierAside"/>, <see cref="ValidateSignedRequestObject"/>), which read single values.
    /// </summary>
    public static OpenIddictServerHandlerDescriptor Descriptor { get; }
        = OpenIddictServerHandlerDescriptor.CreateBuilder<TContext>()
            .UseSingletonHandler<RejectRepeatedParameters<TContext>>()
            .SetOrder(HandlerOrder.AfterBuiltIns<TContext>() - 500)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public ValueTask HandleAsync(TContext context)
    {
        if (context.Transaction.Request is not { } request)
        {
            return default;
        }

        foreach (var (name, value) in request.GetParameters())
        {
            if (value.Count > 1 && !Repeatable.Contains(name))
            {
                context.Reject(Errors.InvalidRequest, $"The '{name}' parameter must not be repeated.");
                return default;
            }
        }

        return default;
    }
}
