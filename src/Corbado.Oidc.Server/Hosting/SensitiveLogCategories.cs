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

            // Where the rule that would apply to a floor category is below its floor, add one at the floor. Added
            // last, so it wins over configured rules of the same specificity; it never lowers a configured level.
            foreach (var provider in providers)
            {
                foreach (var (category, floor) in Floors)
                {
                    var effective = Select(options.Rules, provider, category)?.LogLevel ?? options.MinLevel;
                    if (effective < floor)
                    {
                        options.Rules.Add(new LoggerFilterRule(provider, category, floor, filter: null));
                    }
                }
            }
        }

        /// <summary>The rule Microsoft.Extensions.Logging picks: provider-specific first, then the longest category prefix, then the last.</summary>
        private static LoggerFilterRule? Select(IEnumerable<LoggerFilterRule> rules, string? provider, string category)
        {
            LoggerFilterRule? best = null;
            foreach (var rule in rules)
            {
                if ((rule.ProviderName is not null && rule.ProviderName != provider)
                    || (rule.CategoryName is not null && !category.StartsWith(rule.CategoryName, StringComparison.OrdinalIgnoreCase)))
                {
                    continue;
                }

                if (best is not null)
                {
                    bool bestSpecific = best.ProviderName is not null, ruleSpecific = rule.ProviderName is not null;
                    if ((bestSpecific && !ruleSpecific) || (bestSpecific == ruleSpecific && best.CategoryName is not null
                        && (rule.CategoryName is null || rule.CategoryName.Length < best.CategoryName.Length)))
                    {
                        continue;
                    }
                }

                best = rule;
            }

            return best;
        }

        private static LogLevel? FloorFor(string category) => Floors
            .Where(f => category.StartsWith(f.Key, StringComparison.Ordinal))
            .Select(f => (LogLevel?)f.Value)
            .FirstOrDefault();
    }
}
