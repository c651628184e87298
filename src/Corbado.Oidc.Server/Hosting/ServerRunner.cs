using Corbado.Oidc.Server.Persistence;
using Microsoft.AspNetCore.Connections;

namespace Corbado.Oidc.Server.Hosting;

/// <summary>
/// Starts the web host and turns the expected start-up failures (invalid configuration, an unusable database, a
/// listening address already in use) into one sentence per problem on standard error and a distinct exit code,
/// instead of an unhandled-exception dump. The exit codes are documented in README.md (Configuration).
/// </summary>
public static class ServerRunner
{
    /// <summary>Exit code when one or more settings are missing or invalid.</summary>
    public const int InvalidConfiguration = 2;

    /// <summary>Exit code when the database cannot be opened, migrated or written.</summary>
    public const int DatabaseUnusable = 3;

    /// <summary>Exit code when the address to listen on is already in use by another process.</summary>
    public const int AddressInUse = 4;

    private const string CannotStart = "Corbado.Oidc cannot start: ";

    /// <summary>Validates the configuration, then maps the endpoints with <paramref name="mapEndpoints"/> and runs.</summary>
    public static async Task<int> RunCorbadoOidcServerAsync(this WebApplication app, Action<WebApplication> mapEndpoints)
    {
        // The same validators ValidateOnStart runs, called before the host starts so nothing else logs first.
        if (StartupValidation.FindProblems(app.Services) is { Count: > 0 } problems)
        {
            await ReportConfigurationProblemsAsync(problems);
            return InvalidConfiguration;
        }

        mapEndpoints(app);
        try
        {
            await app.RunAsync();
            return 0;
        }
        catch (DatabaseUnusableException exception)
        {
            await Console.Error.WriteLineAsync(CannotStart + exception.Message);
            return DatabaseUnusable;
        }
        catch (IOException exception) when (exception.InnerException is AddressInUseException)
        {
            // Kestrel's message names the address: "Failed to bind to address http://127.0.0.1:5080: address already in use."
            await Console.Error.WriteLineAsync(CannotStart + exception.Message.TrimEnd('.')
                + "; another process listens there. Stop it, or choose another address with ASPNETCORE_URLS or --urls.");
            return AddressInUse;
        }
        catch (KeyMaterialUnreadableException exception)
        {
            // A wrong key-encryption key is a configuration error (exit code 2), never a reason to mint new keys.
            await Console.Error.WriteLineAsync(CannotStart + exception.Message);
            return InvalidConfiguration;
        }
    }

    /// <summary>The configuration problems on standard error, after one line that says the server cannot start.</summary>
    public static async Task ReportConfigurationProblemsAsync(IEnumerable<string> problems)
    {
        await Console.Error.WriteLineAsync(CannotStart + "the configuration is invalid.");
        foreach (var problem in problems)
        {
            await Console.Error.WriteLineAsync("  " + problem);
        }
    }
}
