using Microsoft.Extensions.Options;

namespace Corbado.Oidc.Server.Persistence;

/// <summary>Start-up validation of <see cref="DatabaseOptions"/>; every message names the setting.</summary>
public sealed class DatabaseOptionsValidator : IValidateOptions<DatabaseOptions>
{
    public ValidateOptionsResult Validate(string? name, DatabaseOptions options)
    {
        var failures = new List<string>();
        if (options.EffectiveProvider is not { } provider)
        {
            failures.Add($"Database:Provider is '{options.Provider}'; allowed are Sqlite and PostgreSql.");
        }
        else if (provider == DatabaseProvider.PostgreSql && string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            failures.Add("ConnectionStrings:Oidc is required when Database:Provider is PostgreSql.");
        }

        if (!SqliteTuning.IsValidSetting(options.SqliteSynchronous))
        {
            failures.Add($"Database:SqliteSynchronous is '{options.SqliteSynchronous}'; allowed are Normal and Full.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
