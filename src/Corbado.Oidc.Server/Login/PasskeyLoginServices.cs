namespace Corbado.Oidc.Server.Login;

/// <summary>Registration of the login core for the web host (the command line does not log anyone in).</summary>
public static class PasskeyLoginServices
{
    public static IServiceCollection AddPasskeyLogin(this IServiceCollection services)
    {
        services.AddSingleton<LoginTokenWriter>();
        services.AddSingleton<HintVerification>();
        services.AddSingleton<LoginGrants>();
        services.AddSingleton<Sessions.IdTokenHints>();
        services.AddSingleton<Sessions.RpInitiatedLogout>();
        services.AddSingleton<AuthorizationCodeFlow>();
        services.AddSingleton<TokenExchangeFlow>();
        services.AddSingleton<RefreshTokenFlow>();
        services.AddSingleton<PasskeyVerificationFlow>();
        return services;
    }
}
