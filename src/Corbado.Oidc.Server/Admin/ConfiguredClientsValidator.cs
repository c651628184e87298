using Corbado.Oidc.Core.Options;
using Microsoft.Extensions.Options;

namespace Corbado.Oidc.Server.Admin;

/// <summary>
/// Start-up validation of the clients seeded from the <c>Clients</c> section, with the rules the command line applies,
/// so a wrong registration stops the server with the other configuration problems instead of failing the seeding.
/// </summary>
public sealed class ConfiguredClientsValidator : IValidateOptions<List<ClientRegistration>>
{
    public ValidateOptionsResult Validate(string? name, List<ClientRegistration> options)
    {
        var failures = options.SelectMany((client, index) => ClientRegistrar.Validate(client).Select(error => $"Clients:{index}: {error}")).ToList();
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
