using System.Net;
using Corbado.Oidc.Testing;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Corbado.Oidc.Server.Tests.Fleet;

/// <summary>
/// One complete login spread over a fleet, as a load balancer spreads it: authorized at one replica, redeemed at
/// another, the ID token verified against the JWKS a third one serves right then and the access token used at its
/// /userinfo. Null when it worked, else why not.
/// </summary>
internal static class FleetLogin
{
    public static async Task<(string? Failure, string? Kid)> RunAsync(ServerFleet fleet, HttpClient authorizeAt, HttpClient redeemAt, HttpClient jwksFrom)
    {
        try
        {
            var authorization = await authorizeAt.AuthorizeAsync(fleet.AuthorizeParameters(fleet.Minter.Mint()));
            if (authorization.Code is not { } code)
            {
                return ($"authorize: {authorization.StatusCode} {authorization.Error}", null);
            }

            using var response = await fleet.RedeemAsync(redeemAt, code);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                return ($"token: {response.StatusCode} {await response.Content.ReadAsStringAsync()}", null);
            }

            var tokens = await response.ReadJsonAsync();
            var idToken = tokens.GetProperty("id_token").GetString()!;
            var jwks = await jwksFrom.GetStringAsync(".well-known/jwks");
            var validation = await ReplicaFleetTests.ValidateAsync(idToken, jwks);
            var kid = new JsonWebToken(idToken).Kid;
            if (!validation.IsValid)
            {
                return ($"id_token with kid {kid} does not verify against {jwks}: {validation.Exception?.Message}", kid);
            }

            // The access token too (HMAC-signed and encrypted with the internal keys) is accepted by the third replica.
            using var userInfo = new HttpRequestMessage(HttpMethod.Get, "userinfo") { Headers = { Authorization = new("Bearer", tokens.GetProperty("access_token").GetString()) } };
            using var userInfoResponse = await jwksFrom.SendAsync(userInfo);
            return userInfoResponse.StatusCode == HttpStatusCode.OK ? (null, kid) : ($"userinfo: {userInfoResponse.StatusCode}", kid);
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException or IOException)
        {
            return ($"{exception.GetType().Name}: {exception.Message}", null);
        }
    }

    /// <summary>Polls <paramref name="condition"/> every 50 ms until it holds or the token (the test's time bound) fires.</summary>
    public static async Task WaitUntilAsync(Func<bool> condition, CancellationToken cancellationToken)
    {
        while (!condition() && !cancellationToken.IsCancellationRequested)
        {
            await Task.Delay(50, CancellationToken.None);
        }
    }
}
