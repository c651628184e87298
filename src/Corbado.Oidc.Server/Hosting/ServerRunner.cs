using Corbado.Oidc.Server.Persistence;
using Microsoft.Extensions.Options;

namespace Corbado.Oidc.Server.Hosting;

/// <summary>
/// Starts the web host and turns the two expected start-up failures, invalid configuration and an unusable database,
/// into a short message on standard error and a distinct exit code instead of an unhandled-exception dump.
/// </summary>
public static class ServerRunner
{
    /// <summary>Exit code when a setting is missing or invalid.</summary>
    public const int InvalidConfiguration = 2;

    /// <summary>Exit code when the database cannot be opened, migrated or written.</summary>
    public const int DatabaseUnusable = 3;

    public static async Task<int> RunCorbadoOidcServerAsync(this WebApplication app)
    {
        try
        {
            // The same validators ValidateOnStart runs, called before the host starts so nothing else logs first.
            app.Services.GetService<IStartupValidator>()?.Validate();
        }
        catch (OptionsValidationException exception)
        {
            await Console.Error.WriteLineAsync("Corbado.Oidc cannot start: the configuration is invalid.");
            foreach (var failure in exception.Failures)
            {
                await Console.Error.WriteLineAsync("  " + failure);
            }

            return InvalidConfiguration;
        }

        try
        {
            await app.RunAsync();
            return 0;
        }
        catch (DatabaseUnusableException exception)
        {
            await Console.Error.WriteLineAsync("Corbado.Oidc cannot start: " + exception.Message);
            return DatabaseUnusable;
        }
        catch (KeyMaterialUnreadableException exception)
        {
            // A wrong key-encryption key is a configuration error (exit code 2), never a reason to mint new keys.
            await Console.Error.WriteLineAsync("Corbado.Oidc cannot start: " + exception.Message);
            return InvalidConfiguration;
        }
    }
}
