using Microsoft.Extensions.Options;

namespace Corbado.Oidc.Server.Hosting;

/// <summary>
/// Configuration sections validated at start-up, each on its own. The host's <see cref="IStartupValidator"/> gathers
/// validation failures of several sections, but a value the configuration binder cannot convert at all (a malformed
/// duration) throws at once and hides every other problem; validating section by section reports them all.
/// </summary>
public static class StartupValidation
{
    private const string BinderAssembly = "Microsoft.Extensions.Configuration.Binder";

    /// <summary><see cref="OptionsBuilderExtensions.ValidateOnStart{TOptions}"/>, and listed for <see cref="FindProblems"/>.</summary>
    public static OptionsBuilder<TOptions> ValidateAtStartup<TOptions>(this OptionsBuilder<TOptions> builder)
        where TOptions : class
    {
        builder.Services.AddSingleton(new Section(services => _ = services.GetRequiredService<IOptions<TOptions>>().Value));
        return builder.ValidateOnStart();
    }

    /// <summary>Every configuration problem, one sentence each naming its setting; empty when the configuration is valid.</summary>
    public static IReadOnlyList<string> FindProblems(IServiceProvider services)
    {
        var problems = new List<string>();
        foreach (var section in services.GetServices<Section>())
        {
            Collect(problems, () => section.Validate(services));
        }

        // Sections a library registered with ValidateOnStart alone; the host's validator also re-validates ours, so a
        // problem it repeats is listed once.
        Collect(problems, () => services.GetService<IStartupValidator>()?.Validate());
        return [.. problems.Distinct(StringComparer.Ordinal)];
    }

    private static void Collect(List<string> problems, Action validate)
    {
        try
        {
            validate();
        }
        catch (OptionsValidationException exception)
        {
            problems.AddRange(exception.Failures);
        }
        catch (AggregateException exception) when (exception.InnerExceptions.All(inner => inner is OptionsValidationException))
        {
            problems.AddRange(exception.InnerExceptions.Cast<OptionsValidationException>().SelectMany(inner => inner.Failures));
        }
        catch (InvalidOperationException exception) when (exception.Source == BinderAssembly)
        {
            // "Failed to convert configuration value 'soon' at 'Corbado:ClockSkew' to type 'System.TimeSpan'."
            problems.Add(exception.Message);
        }
    }

    private sealed record Section(Action<IServiceProvider> Validate);
}
