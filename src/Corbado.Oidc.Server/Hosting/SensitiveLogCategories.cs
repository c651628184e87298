using Microsoft.Extensions.Options;

namespace Corbado.Oidc.Server.Hosting;

/// <summary>
/// Minimum log levels for categories whose verbose lines carry credentials, enforced whatever <c>Logging</c>
/// configuration says (including provider-specific and more specific category rules): ASP.NET Core's request-start
/// line prints the full URL with its query (the login_hint), and OpenIddict at Trace prints every token it creates.
/// </summary>
public static class SensitiveLogCategories
{
    public static readonly IReadOnlyDictionary<string, LogLevel> Floors = new Dictionary<string, LogLevel>(StringComparer.Ordinal)
    {
        ["Microsoft.AspNetCore.Hosting.Diagnostics"] = LogLevel.Warning,
        ["Microsoft.AspNetCore.HttpLogging"] = LogLevel.Warning,
        ["Microsoft.AspNetCore.Server.Kestrel"] = LogLevel.Debug,
        ["OpenIddict"] = LogLevel.Debug,
    };

    public static IServiceCollection AddSensitiveLogCategoryFloors(this IServiceCollection services)
        => services.AddSingleton<IPostConfigureOptions<LoggerFilterOptions>, ApplyFloors>();

    private sealed class ApplyFloors : IPostConfigureOptions<LoggerFilterOptions>
    {
        public void PostConfigure(string? name, LoggerFilterOptions options)
        {
            var providers = options.Rules.Select(rule => rule.ProviderName).Append(null).Distinct().ToList();
            for (var i = 0; i < options.Rules.Count; i++)
            {
                var rule = options.Rules[i];
                if (rule.CategoryName is { } category && FloorFor(category) is { } floor && (rule.LogLevel is null || rule.LogLevel < floor))
                {
                    options.Rules[i] = new LoggerFilterRule(rule.ProviderName, rule.CategoryName, floor, rule.Filter);
                }
            }

            // Added last, so they win over configured rules of the same specificity for every provider.
            foreach (var provider in providers)
            {
                foreach (var (category, floor) in Floors)
                {
                    options.Rules.Add(new LoggerFilterRule(provider, category, floor, filter: null));
                }
            }
        }

        private static LogLevel? FloorFor(string category) => Floors
            .Where(f => category.StartsWith(f.Key, StringComparison.Ordinal))
            .Select(f => (LogLevel?)f.Value)
            .FirstOrDefault();
    }
}
