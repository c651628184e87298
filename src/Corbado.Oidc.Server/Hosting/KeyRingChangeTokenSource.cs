using Corbado.Oidc.Server.Persistence;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using OpenIddict.Server;

namespace Corbado.Oidc.Server.Hosting;

/// <summary>
/// Tells the options monitor to rebuild OpenIddict's server options when the <see cref="KeyRing"/> changes: OpenIddict
/// reads <c>IOptionsMonitor&lt;OpenIddictServerOptions&gt;.CurrentValue</c> per request, so the JWKS it serves and the
/// keys it validates access tokens with follow the ring without restart.
/// </summary>
internal sealed class KeyRingChangeTokenSource(KeyRing keys) : IOptionsChangeTokenSource<OpenIddictServerOptions>
{
    public string Name => Options.DefaultName;

    public IChangeToken GetChangeToken() => keys.GetChangeToken();
}
