namespace Corbado.Oidc.Server.Login.WebAuthn;

/// <summary>Registration of the hosted passkey door (the store and enrolment links are core services, for the command line).</summary>
public static class HostedPasskeyServices
{
    public static IServiceCollection AddHostedPasskeys(this IServiceCollection services)
    {
        services.AddSingleton<PasskeyRelyingParty>();
        services.AddSingleton<PasskeyCeremonies>();
        services.AddSingleton<HostedPasskeyLogin>();
        services.AddSingleton<PasskeyEnrolment>();
        services.AddSingleton<PasskeyManagement>();
        services.AddSingleton<PasskeyUserLimits>();
        return services;
    }
}
