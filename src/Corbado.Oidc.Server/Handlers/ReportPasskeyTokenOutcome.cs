using Corbado.Oidc.Server.Diagnostics;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Http.Features;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace Corbado.Oidc.Server.Handlers;

/// <summary>
/// Reports the outcome of an authorization_code token request answered by OpenIddict (tokens issued, or the error) to
/// <see cref="LoginEvents"/>, as the fast path does for the requests it answers. The subject is taken at sign-in.
/// </summary>
public sealed class ReportPasskeyTokenOutcome(LoginEvents events)
    : IOpenIddictServerHandler<ProcessSignInContext>, IOpenIddictServerHandler<ApplyTokenResponseContext>
{
    private const string SubjectProperty = "corbado:token_subject";

    public static OpenIddictServerHandlerDescriptor SignInDescriptor { get; }
        = OpenIddictServerHandlerDescriptor.CreateBuilder<ProcessSignInContext>()
            .UseSingletonHandler<ReportPasskeyTokenOutcome>()
            .SetOrder(OpenIddictServerHandlers.AttachSignInParameters.Descriptor.Order - 400)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public static OpenIddictServerHandlerDescriptor ResponseDescriptor { get; }
        = OpenIddictServerHandlerDescriptor.CreateBuilder<ApplyTokenResponseContext>()
            .UseSingletonHandler<ReportPasskeyTokenOutcome>()
            // Just before the response is written: earlier handlers may still rewrite the error, later ones never run.
            .SetOrder(OpenIddict.Server.AspNetCore.OpenIddictServerAspNetCoreHandlers.ProcessJsonResponse<ApplyTokenResponseContext>.Descriptor.Order - 1)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public ValueTask HandleAsync(ProcessSignInContext context)
    {
        if (context.EndpointType == OpenIddictServerEndpointType.Token)
        {
            context.Transaction.SetProperty(SubjectProperty, context.Principal?.GetClaim(Claims.Subject));
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask HandleAsync(ApplyTokenResponseContext context)
    {
        if (context.Request is not { } request || !request.IsAuthorizationCodeGrantType())
        {
            return ValueTask.CompletedTask;
        }

        var subject = context.Transaction.GetProperty<string>(SubjectProperty);
        if (context.Response.Error is null && context.Transaction.GetHttpRequest()?.HttpContext.Features.Get<IHttpActivityFeature>()?.Activity is { } activity)
        {
            events.StepCompleted("token", DateTime.UtcNow - activity.StartTimeUtc);
        }

        events.TokenRequestCompleted(GrantTypes.AuthorizationCode, request.ClientId, context.Response.Error, subject);
        return ValueTask.CompletedTask;
    }
}
